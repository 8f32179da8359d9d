using FunctionsDrift.Core.Detectors;
using FunctionsDrift.Core.Features;

namespace FunctionsDrift.Core.Model;

/// <summary>
/// Which crop each reference image gives the <c>region</c> detector, decided from the fit features before the fit: the
/// crop around the image's most novel patch against the images its calibration split fits <c>patch</c> on (for forward
/// chaining, the images before it), as a scored image's crop is chosen by the fitted model. That crop is both the image's
/// calibration probe and its place in the detector's memory: what was new when it came, which is where people and cars
/// were. Images never held out (forward chaining's first block) are cropped against the rest of the reference, and only
/// join the memory. One crop per image cost the least and measured as well as three or five memory crops chosen against
/// the other blocks (README, "region").
/// The caller embeds the crops from the images' pixels (<see cref="WithCropsAsync"/>) before <see cref="ReferenceFitter.Fit"/>.
/// </summary>
public sealed class RegionPlan
{
    private readonly int[] _cells;
    private readonly bool[] _probe;

    private RegionPlan(int grid, int[] cells, bool[] probe)
    {
        Grid = grid;
        _cells = cells;
        _probe = probe;
    }

    /// <summary>Side of the patch grid the cells are on.</summary>
    public int Grid { get; }

    /// <summary>The cell to crop image <paramref name="image"/> around.</summary>
    public int CellOf(int image) => _cells[image];

    /// <summary>
    /// <paramref name="features"/> of image <paramref name="image"/> with the embedding of its crop (<paramref name="row"/>)
    /// as its region memory, and as its probe when calibration holds it out.
    /// </summary>
    public ImageFeatures Attach(int image, ImageFeatures features, float[] row) =>
        features with { RegionBank = row, RegionProbe = _probe[image] ? row : [] };

    /// <summary>
    /// <paramref name="reference"/> with the <c>region</c> detector's crops: the plan, then each image's crop from
    /// <paramref name="embedCrop"/> (image index, grid side, cell → its embedding; it reads the image's pixels again; null
    /// when there are none, as for accepted results joining a refit). An image without a crop keeps its features, and one
    /// for which it throws <see cref="DriftException"/> is also reported to <paramref name="skipped"/>. Unchanged when the
    /// fit will have no <c>region</c> detector.
    /// </summary>
    public static async Task<IReadOnlyList<ImageFeatures>> WithCropsAsync(IReadOnlyList<ImageFeatures> reference, FitOptions options,
        Func<int, int, int, CancellationToken, ValueTask<float[]?>> embedCrop, int parallelism = 0, IProgress<int>? progress = null,
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
                if (await embedCrop(i, plan.Grid, plan.CellOf(i), token) is { } row) features[i] = plan.Attach(i, features[i], row);
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
        if (options.Detectors.Length > 0 && !options.Detectors.Contains(RegionNoveltyDetector.KindName)) return null;
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
        return new RegionPlan((int)Math.Round(Math.Sqrt(reference[0].PatchCount)), cells, probe);
    }
}
