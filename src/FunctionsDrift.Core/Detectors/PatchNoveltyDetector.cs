using System.Globalization;
using System.Numerics.Tensors;
using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Model;

namespace FunctionsDrift.Core.Detectors;

/// <summary>
/// Position-invariant local novelty (PatchCore, Roth et al., CVPR 2022): a memory bank of reference patch descriptors,
/// thinned by a greedy k-centre coreset; each test patch scores its distance to the nearest bank patch and the image
/// scores its worst patch. A person on the lawn matches person patches seen anywhere in the reference; a fruit or a
/// butterfly matches nothing. A second bank holds the reference seen nearer the camera (<see cref="ImageFeatures.ZoomedPatch"/>),
/// so that someone walking closer than anyone in the reference matches the people it showed farther away.
/// </summary>
public sealed class PatchNoveltyDetector : IDetector
{
    public const string KindName = "patch";
    private readonly float[] _bank, _zoomedBank; // m × d each; the zoomed bank may be empty
    private readonly int _d;
    public string Name => KindName;

    internal PatchNoveltyDetector(float[] bank, float[] zoomedBank, int d)
    {
        _bank = bank; _zoomedBank = zoomedBank; _d = d;
    }

    /// <summary>Patches in the memory bank.</summary>
    public int BankSize => _bank.Length / _d;

    /// <summary>Patches in the bank of the reference seen nearer the camera (0 when the reference had none).</summary>
    public int ZoomedBankSize => _zoomedBank.Length / _d;

    public DetectorRaw Score(ImageFeatures features)
    {
        var distances = PatchDistances(features);
        int worstPatch = WorstPatches(distances, 1)[0];
        int grid = features.PatchGrid;
        double score = distances[worstPatch];
        return new DetectorRaw(score, $"patch at {Describe(worstPatch, grid)} unlike any reference patch (distance {score:0.00})");
    }

    /// <summary>Each patch's distance to the nearest bank patch, as seen or nearer, in grid order.</summary>
    public float[] PatchDistances(ImageFeatures features)
    {
        var x = features.Patch;
        int p = features.PatchCount;
        if (p == 0 || x.Length != p * _d)
        {
            throw new DriftException($"the features have {p} patch descriptors of {(p == 0 ? 0 : x.Length / p)} values, this reference model needs {_d} values each");
        }
        var distances = new float[p];
        for (int i = 0; i < p; i++)
        {
            var row = x.AsSpan(i * _d, _d);
            distances[i] = Math.Min(Nearest(row, _bank), Nearest(row, _zoomedBank));
        }
        return distances;
    }

    /// <summary>The <paramref name="count"/> patches farthest from the bank, worst first (ties: lower index first).</summary>
    public static int[] WorstPatches(float[] distances, int count) =>
        Enumerable.Range(0, distances.Length).OrderByDescending(i => distances[i]).ThenBy(i => i).Take(count).ToArray();

    /// <summary>Euclidean distance from <paramref name="x"/> to the nearest row of <paramref name="bank"/>.</summary>
    private float Nearest(ReadOnlySpan<float> x, float[] bank)
    {
        float best = float.MaxValue;
        for (int j = 0; j + _d <= bank.Length; j += _d)
        {
            best = Math.Min(best, TensorPrimitives.Distance(x, bank.AsSpan(j, _d)));
        }
        return best;
    }

    /// <summary>"column 3 of 14, row 9 of 14 (left, bottom)": where in the frame the patch is.</summary>
    private static string Describe(int patch, int grid)
    {
        int row = patch / Math.Max(1, grid), col = patch % Math.Max(1, grid);
        string h = col < grid / 3 ? "left" : col >= grid - grid / 3 ? "right" : "centre";
        string v = row < grid / 3 ? "top" : row >= grid - grid / 3 ? "bottom" : "middle";
        return $"{v} {h} (row {row + 1}, column {col + 1} of {grid})";
    }

    public void Save(ModelArchive archive)
    {
        archive.Arrays["patch.bank"] = _bank;
        if (_zoomedBank.Length > 0) archive.Arrays["patch.zoomed_bank"] = _zoomedBank;
        archive.Metadata["patch.d"] = _d.ToString(CultureInfo.InvariantCulture);
    }

    public sealed class Kind : IDetectorKind
    {
        public string Name => KindName;
        public string Description => string.Create(CultureInfo.InvariantCulture, $"ResNet18 layer-2/3 patch descriptors, distance of the worst patch to the nearest reference patch anywhere in the frame, as seen or {FeatureExtractor.ReferenceZoom}× nearer (PatchCore)");
        public bool NeedsEmbedding => true;
        public bool NeedsPatches => true;

        public IDetector Fit(IReadOnlyList<ImageFeatures> reference, FitOptions options)
        {
            int p = reference[0].Patch.Length;
            if (p == 0 || reference.Any(f => f.Patch.Length != p || f.PatchCount != reference[0].PatchCount))
            {
                throw new DriftException("the reference features have no (or unequal) patch descriptors; extract them with an embedder that exposes feature maps");
            }
            int d = p / reference[0].PatchCount;
            var all = Concatenated(reference.Select(f => f.Patch).ToList());
            int n = all.Length / d;
            int k = Math.Clamp((int)Math.Ceiling(options.CoresetFraction * n), Math.Min(n, options.CoresetMin), n);
            // The zoomed bank gets as many rows as the main one: twice the search, whatever the zoom adds.
            var zoomed = Concatenated(reference.Select(f => f.ZoomedPatch).Where(z => z.Length == p).ToList());
            return new PatchNoveltyDetector(Coreset.Select(all, d, k), Coreset.Select(zoomed, d, Math.Min(k, zoomed.Length / d)), d);
        }

        /// <summary>The images' descriptor rows end to end, as the coreset takes them.</summary>
        private static float[] Concatenated(IReadOnlyList<float[]> rows)
        {
            var all = new float[rows.Sum(r => r.Length)];
            int at = 0;
            foreach (var r in rows)
            {
                r.CopyTo(all, at);
                at += r.Length;
            }
            return all;
        }

        public IDetector Load(ModelArchive archive)
        {
            var bank = archive.Array("patch.bank");
            var zoomed = archive.Arrays.GetValueOrDefault("patch.zoomed_bank") ?? [];
            int d = int.Parse(archive.Meta("patch.d"), CultureInfo.InvariantCulture);
            if (d <= 0 || bank.Length == 0 || bank.Length % d != 0 || zoomed.Length % d != 0) throw new DriftException("reference model: the patch bank has the wrong size");
            return new PatchNoveltyDetector(bank, zoomed, d);
        }

    }
}
