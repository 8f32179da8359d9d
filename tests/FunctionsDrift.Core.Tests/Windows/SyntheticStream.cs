using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Windows;

namespace FunctionsDrift.Core.Tests.Windows;

/// <summary>
/// Seeded synthetic features: positive "embeddings" around a common direction (like pooled CNN activations), HSV
/// histograms and quality statistics with Gaussian noise. <c>shift</c> turns the embedding's mean direction and
/// brightens the image a little.
/// </summary>
internal static class SyntheticStream
{
    public const int Dim = 16;

    public static ImageFeatures Make(Random rng, double shift)
    {
        var emb = new float[Dim];
        for (int i = 0; i < Dim; i++)
        {
            double mean = 1 + (i < Dim / 2 ? shift : -shift);
            emb[i] = (float)(mean + 0.3 * Gauss(rng));
        }
        var hsv = Histograms(c => 12 + 2 * Gauss(rng) + (c == 2 ? 10 * shift : 0));
        var quality = new float[QualityFeatures.Count];
        for (int q = 0; q < quality.Length; q++)
        {
            quality[q] = (float)(1 + 0.1 * Gauss(rng) + (q == 0 ? 0.05 * shift : 0));
        }
        return new ImageFeatures(emb, hsv, quality, [], 64, 48);
    }

    public static List<ImageFeatures> Reference(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => Make(rng, 0)).ToList();
    }

    /// <summary><paramref name="windows"/> windows of <paramref name="size"/> images; window w is shifted by w × <paramref name="step"/>.</summary>
    public static List<WindowSample> Gradual(int windows, int size, double step, int seed)
    {
        var rng = new Random(seed);
        var list = new List<WindowSample>();
        for (int w = 0; w < windows; w++)
        {
            for (int i = 0; i < size; i++)
            {
                list.Add(new WindowSample($"w{w}-{i}", Make(rng, w * step)));
            }
        }
        return list;
    }

    /// <summary>
    /// A slowly moving scene: three latent factors follow a stationary AR(1) process with correlation
    /// <paramref name="rho"/> from one frame to the next (0.98 ≈ a correlation length of 50 frames), and every feature
    /// (embedding, the HSV histograms' centres, the quality statistics) follows them plus per-frame noise. Frame t is
    /// shifted by <paramref name="shift"/>(t) as in <see cref="Make"/>.
    /// </summary>
    public static List<ImageFeatures> Moving(int n, int seed, Func<int, double>? shift = null, double rho = 0.98)
    {
        var rng = new Random(seed);
        var z = new double[3];
        for (int k = 0; k < z.Length; k++) z[k] = Gauss(rng);
        double innovation = Math.Sqrt(1 - rho * rho);
        var frames = new List<ImageFeatures>(n);
        for (int t = 0; t < n; t++)
        {
            for (int k = 0; k < z.Length; k++) z[k] = rho * z[k] + innovation * Gauss(rng);
            double s = shift?.Invoke(t) ?? 0;
            var emb = new float[Dim];
            for (int i = 0; i < Dim; i++)
            {
                double mean = 1 + (i < Dim / 2 ? s : -s) + 0.25 * z[i % 3] * (i % 2 == 0 ? 1 : -1);
                emb[i] = (float)(mean + 0.15 * Gauss(rng));
            }
            var hsv = Histograms(c => 12 + 2 * z[c] + 0.5 * Gauss(rng) + (c == 2 ? 10 * s : 0));
            var quality = new float[QualityFeatures.Count];
            for (int q = 0; q < quality.Length; q++)
            {
                quality[q] = (float)(1 + 0.1 * z[q % 3] + 0.03 * Gauss(rng) + (q == 0 ? 0.05 * s : 0));
            }
            frames.Add(new ImageFeatures(emb, hsv, quality, [], 64, 48));
        }
        return frames;
    }

    /// <summary>One Gaussian bump per HSV channel, at the bin <paramref name="centreOf"/> gives (called once per channel, in order).</summary>
    private static float[] Histograms(Func<int, double> centreOf)
    {
        var hsv = new float[ColorFeatures.Channels.Length * ColorFeatures.Bins];
        for (int c = 0; c < ColorFeatures.Channels.Length; c++)
        {
            double centre = centreOf(c);
            double total = 0;
            for (int b = 0; b < ColorFeatures.Bins; b++)
            {
                double w = Math.Exp(-0.5 * Math.Pow((b - centre) / 4, 2));
                hsv[c * ColorFeatures.Bins + b] = (float)w;
                total += w;
            }
            for (int b = 0; b < ColorFeatures.Bins; b++) hsv[c * ColorFeatures.Bins + b] /= (float)total;
        }
        return hsv;
    }

    public static List<WindowSample> Samples(IEnumerable<ImageFeatures> frames) =>
        frames.Select((f, i) => new WindowSample($"f{i:0000}", f)).ToList();

    public static double Gauss(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
