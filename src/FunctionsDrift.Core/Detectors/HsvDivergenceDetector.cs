using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Model;

namespace FunctionsDrift.Core.Detectors;

/// <summary>
/// The study's colour route: per channel (hue, saturation, value) the KL divergence of the image's histogram from the
/// reference's mean histogram, and the histogram intersection. The score is the largest channel KL in units of that
/// channel's typical reference KL, so one calibrated score covers all three channels.
/// </summary>
public sealed class HsvDivergenceDetector : IDetector
{
    public const string KindName = "hsv";
    private const float Epsilon = 1e-4f;
    private readonly float[] _reference; // 3 × Bins, smoothed, each channel sums to 1
    private readonly float[] _scale;     // 3
    public string Name => KindName;

    private HsvDivergenceDetector(float[] reference, float[] scale)
    {
        _reference = reference; _scale = scale;
    }

    public DetectorRaw Score(ImageFeatures features)
    {
        double best = double.MinValue;
        int bestChannel = 0;
        double bestKl = 0, bestIntersection = 0;
        for (int c = 0; c < 3; c++)
        {
            var (kl, inter) = Divergence(features.Hsv, _reference, c);
            double s = kl / _scale[c];
            if (s > best) { best = s; bestChannel = c; bestKl = kl; bestIntersection = inter; }
        }
        return new DetectorRaw(best, $"{ColorFeatures.Channels[bestChannel]} KL {bestKl:0.000} ({best:0.0}× usual), intersection {bestIntersection:0.00}");
    }

    /// <summary>KL(image ‖ reference) and histogram intersection for one channel.</summary>
    public static (double Kl, double Intersection) Divergence(ReadOnlySpan<float> image, ReadOnlySpan<float> reference, int channel)
    {
        const int bins = ColorFeatures.Bins;
        var p = image.Slice(channel * bins, bins);
        var q = reference.Slice(channel * bins, bins);
        double kl = 0, inter = 0, norm = 1 + bins * Epsilon;
        for (int i = 0; i < bins; i++)
        {
            double pi = (p[i] + Epsilon) / norm;
            double qi = q[i];
            kl += pi * Math.Log(pi / qi);
            inter += Math.Min(p[i], qi);
        }
        return (Math.Max(0, kl), inter);
    }

    public void Save(ModelArchive archive)
    {
        archive.Arrays["hsv.reference"] = _reference;
        archive.Arrays["hsv.scale"] = _scale;
    }

    public sealed class Kind : IDetectorKind
    {
        public string Name => KindName;
        public string Description => "HSV histograms, KL divergence and intersection against the reference (the study's colour route)";
        public bool NeedsEmbedding => false;

        public IDetector Fit(IReadOnlyList<ImageFeatures> reference, FitOptions options)
        {
            int len = 3 * ColorFeatures.Bins;
            var mean = new float[len];
            foreach (var f in reference)
                for (int i = 0; i < len; i++) mean[i] += f.Hsv[i];
            for (int i = 0; i < len; i++) mean[i] = (mean[i] / reference.Count + Epsilon) / (1 + ColorFeatures.Bins * Epsilon);
            var scale = new float[3];
            var kls = new float[reference.Count];
            for (int c = 0; c < 3; c++)
            {
                for (int i = 0; i < reference.Count; i++) kls[i] = (float)Divergence(reference[i].Hsv, mean, c).Kl;
                scale[c] = Math.Max(1e-4f, VectorMath.Median(kls));
            }
            return new HsvDivergenceDetector(mean, scale);
        }

        public IDetector Load(ModelArchive archive) =>
            new HsvDivergenceDetector(archive.Array("hsv.reference"), archive.Array("hsv.scale"));
    }
}
