using System.Runtime.InteropServices;
using FunctionsDrift.Core.Detectors;
using FunctionsDrift.Core.Features;

namespace FunctionsDrift.Core.Model;

/// <summary>
/// Fits every applicable detector on the reference and calibrates it by cross-fitting over contiguous blocks:
/// each reference image is scored by detectors fitted without its block's fold, so thresholds never come from
/// images a detector was fitted on, and near-duplicate neighbouring frames do not leak into their own calibration.
/// </summary>
public static class ReferenceFitter
{
    /// <summary>
    /// (fitted on, scored, label) index sets. Contiguous folds: blocks dealt round-robin to the folds, each fold scored by
    /// detectors fitted on every other fold. Forward chaining: each block scored by detectors fitted on every image up to
    /// <paramref name="gap"/> blocks before it, so no image is ever scored by a detector that saw later images.
    /// </summary>
    internal static IEnumerable<(List<int> Train, List<int> Held, string Label)> CalibrationSplits(int n, int block, FitOptions options, int gap = 0)
    {
        if (options.Calibration == CalibrationMode.ForwardChaining)
        {
            int steps = (n + block - 1) / block;
            gap = Math.Clamp(gap, 0, Math.Max(0, steps - 2)); // at least one held-out block
            for (int b = 1 + gap; b < steps; b++)
            {
                int start = b * block, end = Math.Min(n, start + block);
                string after = gap == 0 ? "" : $", {gap} block{(gap == 1 ? "" : "s")} apart";
                yield return (Enumerable.Range(0, start - gap * block).ToList(), Enumerable.Range(start, end - start).ToList(), $"block {b + 1}/{steps}, forward{after}");
            }
            yield break;
        }
        for (int f = 0; f < options.Folds; f++)
        {
            var train = new List<int>();
            var held = new List<int>();
            for (int i = 0; i < n; i++)
            {
                (i / block % options.Folds == f ? held : train).Add(i);
            }
            if (held.Count > 0 && train.Count > 0) yield return (train, held, $"fold {f + 1}/{options.Folds}");
        }
    }

    /// <summary>Images per contiguous block: a fifth of the time span each by default.</summary>
    internal static int BlockSize(int n, FitOptions options) =>
        options.BlockSize > 0 ? options.BlockSize : Math.Max(1, (n + options.Folds - 1) / options.Folds);

    /// <param name="reference">
    /// Reference features in time (or name) order; with <see cref="ImageFeatures.RegionBank"/> and
    /// <see cref="ImageFeatures.RegionProbe"/> from <see cref="RegionPlan"/> for the <c>region</c> detector.
    /// </param>
    /// <param name="modelIdentity">Identity of the embedder that made the features, or "none".</param>
    public static ReferenceModel Fit(IReadOnlyList<ImageFeatures> reference, string modelIdentity, FitOptions? options = null,
        IProgress<string>? progress = null, DateTimeOffset? now = null)
    {
        options ??= new FitOptions();
        int n = reference.Count;
        if (n < options.MinImages)
        {
            throw new DriftException($"the reference has {n} images; at least {options.MinImages} are needed to fit and calibrate");
        }
        if (options.Folds < 2 || options.FalseAlarmRate is <= 0 or >= 1)
        {
            throw new DriftException("fit options: folds must be ≥ 2 and the false-alarm rate in (0, 1)");
        }
        bool withEmbedding = modelIdentity != "none";
        if (withEmbedding && reference.Any(f => !f.HasEmbedding))
        {
            throw new DriftException("some reference features have no embedding; extract them all with the same embedder");
        }
        bool withPatches = reference.All(f => f.PatchCount > 0);
        bool withEdges = reference.All(f => f.Edges.Length == EdgeMap.Length);
        bool withRegions = withPatches && reference.Any(f => f.RegionBank.Length > 0);
        var kinds = DetectorKinds.All.Where(k => (withEmbedding || !k.NeedsEmbedding) && (withPatches || !k.NeedsPatches) && (withEdges || !k.NeedsEdges)
                                                 && (withRegions || !k.NeedsRegions)).ToList();
        if (options.Detectors.Length > 0)
        {
            foreach (var name in options.Detectors) DetectorKinds.Get(name); // an unknown name is a clear error
            var missing = options.Detectors.Where(d => kinds.All(k => k.Name != d)).ToList();
            if (missing.Count > 0)
            {
                var kind = DetectorKinds.Get(missing[0]);
                string feature = kind.NeedsEmbedding && !withEmbedding ? "an embedding" : kind.NeedsEdges ? "edge maps"
                    : kind.NeedsRegions && withPatches ? "region crops (fit through RegionPlan)" : "patch descriptors";
                throw new DriftException($"detector {missing[0]} needs features these images do not have ({feature})");
            }
            kinds = kinds.Where(k => options.Detectors.Contains(k.Name)).ToList();
            if (kinds.Any(k => k.NeedsRegions) && kinds.All(k => k.Name != PatchNoveltyDetector.KindName))
            {
                throw new DriftException($"detector {kinds.First(k => k.NeedsRegions).Name} needs patch to say where to look; keep patch among the detectors");
            }
        }

        // Blocks of contiguous images (a fifth of the time span each by default), so near-duplicate neighbours never
        // calibrate each other.
        int block = BlockSize(n, options);
        var oof = kinds.Select(_ => new List<float>(n)).ToArray();
        foreach (var gap in kinds.Select(k => k.CalibrationGap).Distinct().Order())
        {
            foreach (var (train, held, label) in CalibrationSplits(n, block, options, gap))
            {
                progress?.Report($"calibrating: {label} ({held.Count} held out, fitted on {train.Count})");
                var trainFeatures = train.Select(i => reference[i]).ToList();
                for (int k = 0; k < kinds.Count; k++)
                {
                    if (kinds[k].CalibrationGap != gap) continue;
                    var detector = kinds[k].Fit(trainFeatures, options);
                    foreach (var i in held)
                    {
                        // Images without pixels to crop (accepted rows joining a refit) are left out of region's calibration.
                        if (kinds[k].NeedsRegions && reference[i].RegionProbe.Length == 0) continue;
                        oof[k].Add((float)detector.Score(reference[i]).Score);
                    }
                }
            }
        }

        progress?.Report("fitting on the whole reference");
        var detectors = kinds.Select((kind, k) => new CalibratedDetector(kind.Fit(reference, options), kind.Calibrator(oof[k].ToArray()))).ToList();
        var stamp = now ?? DateTimeOffset.UtcNow;
        var seed = MemoryMarshal.AsBytes(oof.SelectMany(a => a).ToArray().AsSpan()).ToArray();
        return new ReferenceModel
        {
            Version = ReferenceModel.NewVersion(stamp, seed),
            CreatedUtc = stamp,
            ModelIdentity = modelIdentity,
            Options = options with { BlockSize = block },
            ImageCount = n,
            Detectors = detectors,
        };
    }
}
