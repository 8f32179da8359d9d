using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Model;

namespace FunctionsDrift.Core.Detectors;

/// <summary>
/// The study's colour route: per channel (hue, saturation, value) the distance of the image's histogram from the
/// reference's mean histogram. The score is the largest channel distance beyond an effect-size floor, in units of that
/// channel's typical reference distance, so one calibrated score covers all three channels.
/// </summary>
/// <remarks>
/// <para>The value histogram is compared after setting aside a global gain: the image's values are rescaled so that their mean
/// matches the reference's. A gain is what a passing cloud or the camera's auto-exposure does; judged here it flagged
/// almost every frame 4 % darker on the street benchmark. Exposure is the quality detector's brightness statistic, with
/// its own floor; this detector keeps the shape of the tones: a cast shadow, fog, lost contrast, clipping. A gain beyond
/// one stop (×½ to ×2) is not exposure drift but a different picture, so only that much is set aside.</para>
/// <para>The distance is the earth mover's (Wasserstein-1) distance, circular for hue: how far, as a share of the channel's
/// range, the colour mass moved. The study's KL divergence is kept in the reason; as a score it jumps when a faint cast or a
/// re-encode moves a little mass into a bin the reference leaves empty (a 1 % white-balance cast gave KL 8–20× the
/// reference's usual), while the earth mover's distance of such a cast stays below a percent of the range.</para>
/// </remarks>
public sealed class HsvDivergenceDetector : IDetector
{
    public const string KindName = "hsv";
    private const float Epsilon = 1e-4f;
    private readonly float[] _reference; // 3 × Bins, smoothed, each channel sums to 1
    private readonly float[] _scale;     // 3
    private readonly float _floor;       // earth mover's distance below which nothing counts
    public string Name => KindName;

    private HsvDivergenceDetector(float[] reference, float[] scale, float floor)
    {
        _reference = reference; _scale = scale; _floor = floor;
    }

    private const double MinGain = 0.5, MaxGain = 2;

    /// <summary>The reference's mean hue, saturation and value histograms, <see cref="ColorFeatures.Bins"/> each.</summary>
    public ReadOnlySpan<float> ReferenceHistograms => _reference;

    public DetectorRaw Score(ImageFeatures features)
    {
        double best = double.MinValue;
        int bestChannel = 0;
        double bestEmd = 0;
        var (hsv, gain) = WithoutGain(features.Hsv, _reference);
        for (int c = 0; c < 3; c++)
        {
            double emd = EarthMovers(hsv, _reference, c);
            double s = Math.Max(0, emd - _floor) / _scale[c];
            if (s > best) { best = s; bestChannel = c; bestEmd = emd; }
        }
        var (kl, intersection) = Divergence(hsv, _reference, bestChannel);
        string exposure = bestChannel == 2 ? $" after a gain of ×{gain:0.00} set aside" : "";
        return new DetectorRaw(best, $"{ColorFeatures.Channels[bestChannel]} moved {bestEmd:P1} of its range{exposure} ({best:0.0}× usual beyond the floor), KL {kl:0.000}, intersection {intersection:0.00}");
    }

    /// <summary>
    /// Earth mover's distance between the image's and the reference's histogram of one channel, as a share of the channel's
    /// range: the summed difference of the cumulative histograms; for hue, on the circle, less its median (Rabin et al. 2008).
    /// </summary>
    public static double EarthMovers(ReadOnlySpan<float> image, ReadOnlySpan<float> reference, int channel)
    {
        const int bins = ColorFeatures.Bins;
        var p = image.Slice(channel * bins, bins);
        var q = reference.Slice(channel * bins, bins);
        Span<double> cdf = stackalloc double[bins];
        double run = 0;
        for (int i = 0; i < bins; i++)
        {
            run += p[i] - q[i];
            cdf[i] = run;
        }
        double shift = 0;
        if (channel == 0)
        {
            Span<double> sorted = stackalloc double[bins];
            cdf.CopyTo(sorted);
            sorted.Sort();
            shift = sorted[bins / 2];
        }
        double sum = 0;
        foreach (var c in cdf) sum += Math.Abs(c - shift);
        return sum / bins;
    }

    /// <summary>
    /// The histograms with the value channel rescaled by 1 / gain, where gain is the image's mean value over the
    /// reference's, limited to ×½…×2: each bin's mass is spread over the bins its rescaled interval covers (mass past the top stays in the
    /// top bin). Hue and saturation are returned as they are.
    /// </summary>
    public static (float[] Hsv, double Gain) WithoutGain(float[] image, ReadOnlySpan<float> reference)
    {
        const int bins = ColorFeatures.Bins;
        const int v = 2 * bins;
        double imageMean = 0, referenceMean = 0;
        for (int i = 0; i < bins; i++)
        {
            imageMean += image[v + i] * (i + 0.5) / bins;
            referenceMean += reference[v + i] * (i + 0.5) / bins;
        }
        if (imageMean <= 1e-6 || referenceMean <= 1e-6) return (image, 1);
        double gain = Math.Clamp(imageMean / referenceMean, MinGain, MaxGain);
        var result = (float[])image.Clone();
        result.AsSpan(v, bins).Clear();
        for (int i = 0; i < bins; i++)
        {
            double mass = image[v + i];
            if (mass == 0) continue;
            double lo = i / gain, hi = (i + 1) / gain;
            for (int j = (int)lo; j < bins && j <= (int)hi; j++)
            {
                double overlap = Math.Min(hi, j + 1) - Math.Max(lo, j);
                if (overlap > 0) result[v + j] += (float)(mass * overlap / (hi - lo));
            }
            if (hi > bins) result[v + bins - 1] += (float)(mass * (hi - Math.Max(lo, bins)) / (hi - lo));
        }
        return (result, gain);
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
        archive.Arrays["hsv.floor"] = [_floor];
    }

    public sealed class Kind : IDetectorKind
    {
        public string Name => KindName;
        public string Description => "HSV histograms, earth mover's distance (and the study's KL divergence) against the reference (the study's colour route)";
        public bool NeedsEmbedding => false;

        public IDetector Fit(IReadOnlyList<ImageFeatures> reference, FitOptions options)
        {
            int len = 3 * ColorFeatures.Bins;
            var mean = new float[len];
            foreach (var f in reference)
                for (int i = 0; i < len; i++) mean[i] += f.Hsv[i];
            for (int i = 0; i < len; i++) mean[i] = (mean[i] / reference.Count + Epsilon) / (1 + ColorFeatures.Bins * Epsilon);
            var scale = new float[3];
            var distances = new float[reference.Count];
            var compared = reference.Select(f => WithoutGain(f.Hsv, mean).Hsv).ToList();
            for (int c = 0; c < 3; c++)
            {
                for (int i = 0; i < reference.Count; i++) distances[i] = (float)EarthMovers(compared[i], mean, c);
                scale[c] = Math.Max(1e-4f, VectorMath.Median(distances));
            }
            return new HsvDivergenceDetector(mean, scale, (float)options.HsvFloor);
        }

        public IDetector Load(ModelArchive archive)
        {
            var (reference, scale, floor) = (archive.Array("hsv.reference"), archive.Array("hsv.scale"), archive.Array("hsv.floor"));
            if (reference.Length != 3 * ColorFeatures.Bins || scale.Length != 3 || floor.Length != 1)
            {
                throw new DriftException("reference model: the colour detector's arrays have the wrong size");
            }
            return new HsvDivergenceDetector(reference, scale, floor[0]);
        }
    }
}
