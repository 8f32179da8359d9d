using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Model;

namespace FunctionsDrift.Core.Detectors;

/// <summary>
/// Local novelty on a fixed view: each grid cell's colour statistics (standardised per cell) against the same cell in
/// every reference image; a cell's novelty is its distance to the nearest reference. Score = the most novel cell,
/// so a small object that enters the view is seen even when global statistics barely move.
/// </summary>
public sealed class PatchNoveltyDetector : IDetector
{
    public const string KindName = "patch";
    private readonly float[] _center, _scale; // per feature
    private readonly float[] _bank;           // n × Count standardised
    private readonly int _n;
    public string Name => KindName;

    private PatchNoveltyDetector(float[] center, float[] scale, float[] bank)
    {
        _center = center; _scale = scale; _bank = bank; _n = bank.Length / PatchFeatures.Count;
    }

    public DetectorRaw Score(ImageFeatures features)
    {
        int d = PatchFeatures.Count, v = PatchFeatures.ValuesPerCell, cells = d / v;
        Span<float> z = stackalloc float[d];
        for (int j = 0; j < d; j++) z[j] = (features.Patch[j] - _center[j]) / _scale[j];
        double worst = 0;
        int worstCell = 0;
        for (int c = 0; c < cells; c++)
        {
            double nearest = double.MaxValue;
            int o = c * v;
            for (int i = 0; i < _n; i++)
            {
                int b = i * d + o;
                double s = 0;
                for (int k = 0; k < v; k++) { double t = z[o + k] - _bank[b + k]; s += t * t; }
                if (s < nearest) nearest = s;
            }
            if (nearest > worst) { worst = nearest; worstCell = c; }
        }
        double score = Math.Sqrt(worst);
        return new DetectorRaw(score, $"{PatchFeatures.Describe(worstCell)} unlike any reference (distance {score:0.0})");
    }

    public void Save(ModelArchive archive)
    {
        archive.Arrays["patch.center"] = _center;
        archive.Arrays["patch.scale"] = _scale;
        archive.Arrays["patch.bank"] = _bank;
    }

    public sealed class Kind : IDetectorKind
    {
        public string Name => KindName;
        public string Description => "colour of each cell of an 8×6 grid against the same cell in the reference (local novelty, small objects)";
        public bool NeedsEmbedding => false;

        public IDetector Fit(IReadOnlyList<ImageFeatures> reference, FitOptions options)
        {
            var (center, scale) = VectorMath.RobustColumns(reference.Select(f => f.Patch).ToList(), relativeFloor: 0.02f, absoluteFloor: 0.01f);
            int d = PatchFeatures.Count;
            var bank = new float[reference.Count * d];
            for (int i = 0; i < reference.Count; i++)
                for (int j = 0; j < d; j++) bank[i * d + j] = (reference[i].Patch[j] - center[j]) / scale[j];
            return new PatchNoveltyDetector(center, scale, bank);
        }

        public IDetector Load(ModelArchive archive)
        {
            var bank = archive.Array("patch.bank");
            if (bank.Length % PatchFeatures.Count != 0) throw new DriftException("reference model: patch bank has the wrong size");
            return new PatchNoveltyDetector(archive.Array("patch.center"), archive.Array("patch.scale"), bank);
        }
    }
}
