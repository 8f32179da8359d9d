using System.Runtime.InteropServices;
using FunctionsDrift.Core.Calibration;
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
    /// <param name="reference">Reference features in time (or name) order.</param>
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
        var kinds = DetectorKinds.All.Where(k => withEmbedding || !k.NeedsEmbedding).ToList();

        // Default: contiguous folds (a fifth of the time span each) — the production case, where images arrive after the
        // reference, is closer to a held-out stretch of time than to a held-out frame between two known ones.
        int block = options.BlockSize > 0 ? options.BlockSize : Math.Max(1, (n + options.Folds - 1) / options.Folds);
        var fold = new int[n];
        for (int i = 0; i < n; i++) fold[i] = i / block % options.Folds;

        var oof = kinds.Select(_ => new float[n]).ToArray();
        for (int f = 0; f < options.Folds; f++)
        {
            var train = new List<ImageFeatures>();
            var held = new List<int>();
            for (int i = 0; i < n; i++)
            {
                if (fold[i] == f) held.Add(i); else train.Add(reference[i]);
            }
            if (held.Count == 0) continue;
            progress?.Report($"calibrating: fold {f + 1}/{options.Folds} ({held.Count} held out)");
            for (int k = 0; k < kinds.Count; k++)
            {
                var detector = kinds[k].Fit(train, options);
                foreach (var i in held) oof[k][i] = (float)detector.Score(reference[i]).Score;
            }
        }

        progress?.Report("fitting on the whole reference");
        var detectors = kinds.Select((kind, k) => new CalibratedDetector(kind.Fit(reference, options), new ConformalCalibrator(oof[k]))).ToList();
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
