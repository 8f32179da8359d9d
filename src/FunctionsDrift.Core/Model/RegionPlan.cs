using FunctionsDrift.Core.Detectors;
using FunctionsDrift.Core.Features;

namespace FunctionsDrift.Core.Model;

/// <summary>
/// Which places each reference image gives the <c>region</c> and <c>wide</c> detectors (each cropped at both widths of
/// <see cref="Features.RegionCrop.WidthFractions"/>), decided from the fit features before the fit:
/// <list type="bullet">
/// <item>the crop around the image's most novel patch against the images its calibration split fits <c>patch</c> on (for
/// forward chaining, the images before it), as a scored image's crop is chosen by the fitted model: the image's calibration
/// probe, and in the memory what was new when it came, which is where people and cars were. Images never held out
/// (forward chaining's first block) are cropped against the rest of the reference;</item>
/// <item>the crop around its most novel patch against the whole reference, which is where the fitted model will look in an
/// image like it: without it, 27 of the 400 time-forward reference frames, scored against their own model, were flagged
/// by <c>region</c> (their people are in <c>patch</c>'s bank, so it looked at a corner of lawn no memory crop showed).</item>
/// </list>
/// One probe per image measured as well as three or five memory crops chosen against the other blocks (README, "region").
/// The caller embeds the crops from the images' pixels (<see cref="WithCropsAsync"/>) before <see cref="ReferenceFitter.Fit"/>.
/// </summary>
public sealed class RegionPlan
{
    private readonly int[][] _cells; // per image: the first cell's crop is the probe when _probe says so
    private readonly bool[] _probe;

    private RegionPlan(int grid, int[][] cells, bool[] probe)
    {
        Grid = grid;
        _cells = cells;
        _probe = probe;
    }

    /// <summary>Side of the patch grid the cells are on.</summary>
    public int Grid { get; }

    /// <summary>The cells to crop image <paramref name="image"/> around (one or two), in the order <see cref="Attach"/> reads their rows.</summary>
    public IReadOnlyList<int> CellsOf(int image) => _cells[image];

    /// <summary>
    /// <paramref name="features"/> of image <paramref name="image"/> with the embeddings of its crops (<paramref name="rows"/>,
    /// each cell's of <see cref="CellsOf"/> at every scale, end to end) as its region memory, and the first cell's as its
    /// probe when calibration holds it out.
    /// </summary>
    public ImageFeatures Attach(int image, ImageFeatures features, float[] rows)
    {
        int count = _cells[image].Length;
        if (rows.Length == 0 || rows.Length % count != 0) throw new DriftException($"reference image {image}: {rows.Length} values for {count} region crops");
        return features with { RegionBank = rows, RegionProbe = _probe[image] ? rows[..(rows.Length / count)] : [] };
    }

    /// <summary>
    /// <paramref name="reference"/> with the <c>region</c> detector's crops: the plan, then each image's crops from
    /// <paramref name="embedCrops"/> (image index, grid side, cells → one embedding per cell, end to end; it reads the
    /// image's pixels again; null when there are none, as for accepted results joining a refit). An image without crops
    /// keeps its features, and one for which it throws <see cref="DriftException"/> is also reported to
    /// <paramref name="skipped"/>. Unchanged when the fit will have no <c>region</c> detector.
    /// </summary>
    public static async Task<IReadOnlyList<ImageFeatures>> WithCropsAsync(IReadOnlyList<ImageFeatures> reference, FitOptions options,
        Func<int, int, IReadOnlyList<int>, CancellationToken, ValueTask<float[]?>> embedCrops, int parallelism = 0, IProgress<int>? progress = null,
        IProgress<string>? steps = null, Action<int, DriftException>? skipped = null, CancellationToken cancellationToken = default)
    {
        if (For(reference, options, steps) is not { } plan) return reference;
        var features = reference.ToArray();
        int done = 0;
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = parallelism > 0 ? parallelism : Environment.ProcessorCount,
            CancellationToken = cancellationToken,
        };
        await Parallel.ForEachAsync(Enumerable.Range(0, features.Length), parallel, async (i, token) =>
        {
            try
            {
                if (await embedCrops(i, plan.Grid, plan.CellsOf(i), token) is { } rows) features[i] = plan.Attach(i, features[i], rows);
            }
            catch (DriftException e)
            {
                skipped?.Invoke(i, e);
            }
            progress?.Report(Interlocked.Increment(ref done));
        });
        return features;
    }

    /// <summary>
    /// The plan for <paramref name="reference"/> (fit features, time order), or null when the fit will have no
    /// <c>region</c> detector: no patch descriptors, or <see cref="FitOptions.Detectors"/> leaves it out.
    /// </summary>
    public static RegionPlan? For(IReadOnlyList<ImageFeatures> reference, FitOptions options, IProgress<string>? progress = null)
    {
        int n = reference.Count;
        if (n < 2 || reference.Any(f => f.PatchCount == 0 || !f.HasEmbedding)) return null;
        if (options.Detectors.Length > 0 && !options.Detectors.Intersect(RegionNoveltyDetector.KindNames).Any()) return null;
        var patch = DetectorKinds.Get(PatchNoveltyDetector.KindName);
        int block = ReferenceFitter.BlockSize(n, options);
        var cells = new int[n];
        var probe = new bool[n];
        int CellAgainst(PatchNoveltyDetector detector, int i) => PatchNoveltyDetector.WorstPatches(detector.PatchDistances(reference[i]), 1)[0];
        foreach (var (train, held, label) in ReferenceFitter.CalibrationSplits(n, block, options, patch.CalibrationGap))
        {
            progress?.Report($"planning region crops: {label}");
            var detector = (PatchNoveltyDetector)patch.Fit(train.Select(i => reference[i]).ToList(), options);
            foreach (var i in held)
            {
                cells[i] = CellAgainst(detector, i);
                probe[i] = true;
            }
        }
        var never = Enumerable.Range(0, n).Where(i => !probe[i]).ToList();
        if (never.Count > 0)
        {
            progress?.Report($"planning region crops: {never.Count} images never held out, against the rest");
            var rest = Enumerable.Range(0, n).Where(i => probe[i]).Select(i => reference[i]).ToList();
            var detector = (PatchNoveltyDetector)patch.Fit(rest.Count > 0 ? rest : reference, options);
            foreach (var i in never) cells[i] = CellAgainst(detector, i);
        }
        progress?.Report("planning region crops: against the whole reference");
        var whole = (PatchNoveltyDetector)patch.Fit(reference, options);
        var both = Enumerable.Range(0, n).Select(i => CellAgainst(whole, i) is var c && c != cells[i] ? new[] { cells[i], c } : [cells[i]]).ToArray();
        return new RegionPlan(reference[0].PatchGrid, both, probe);
    }
}
