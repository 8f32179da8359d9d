using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Model;

namespace FunctionsDrift.Core.Detectors;

/// <summary>
/// Image-quality statistics (sharpness, noise, edge balance, contrast, …) against their reference median,
/// in robust z units (1.4826 × MAD). Score = the largest |z|; the reason names the statistic.
/// </summary>
public sealed class QualityDetector : IDetector
{
    public const string KindName = "quality";
    private readonly float[] _median, _scale, _floor;
    public string Name => KindName;

    private QualityDetector(float[] median, float[] scale, float[] floor)
    {
        _median = median; _scale = scale; _floor = floor;
    }

    public DetectorRaw Score(ImageFeatures features)
    {
        double best = 0;
        int which = 0;
        for (int i = 0; i < _median.Length; i++)
        {
            // Only the part of the change above the effect-size floor counts.
            double change = features.Quality[i] - _median[i];
            if (QualityFeatures.OnlyRiseCounts(i)) change = Math.Max(0, change);
            double z = Math.Max(0, Math.Abs(change) - _floor[i]) / _scale[i];
            if (z > best) { best = z; which = i; }
        }
        string dir = features.Quality[which] >= _median[which] ? "high" : "low";
        return new DetectorRaw(best, $"{QualityFeatures.Names[which]} {dir}: {features.Quality[which]:0.###} vs usual {_median[which]:0.###} (z {best:0.0} beyond the floor)");
    }

    public void Save(ModelArchive archive)
    {
        archive.Arrays["quality.median"] = _median;
        archive.Arrays["quality.scale"] = _scale;
        archive.Arrays["quality.floor"] = _floor;
    }

    public sealed class Kind : IDetectorKind
    {
        public string Name => KindName;
        public string Description => "image-quality statistics (sharpness, noise, edges, contrast, …), largest robust z-score";
        public bool NeedsEmbedding => false;
        /// <summary>One robust standard deviation of a statistic.</summary>
        public double TailScaleFloor => 1;

        public IDetector Fit(IReadOnlyList<ImageFeatures> reference, FitOptions options)
        {
            var (median, scale) = VectorMath.RobustColumns(reference.Select(f => f.Quality).ToList(), relativeFloor: 0.02f, absoluteFloor: 1e-3f);
            var floor = QualityFeatures.Floors.Select(f => (float)(f * options.QualityFloorScale)).ToArray();
            return new QualityDetector(median, scale, floor);
        }

        public IDetector Load(ModelArchive archive)
        {
            var (median, scale, floor) = (archive.Array("quality.median"), archive.Array("quality.scale"), archive.Array("quality.floor"));
            if (median.Length != QualityFeatures.Count || scale.Length != median.Length || floor.Length != median.Length)
            {
                throw new DriftException("reference model: the quality detector's arrays have the wrong size");
            }
            return new QualityDetector(median, scale, floor);
        }
    }
}
