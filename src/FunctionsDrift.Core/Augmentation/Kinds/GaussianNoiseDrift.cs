using SkiaSharp;

namespace FunctionsDrift.Core.Augmentation.Kinds;

/// <summary>Additive per-channel Gaussian noise, sigma 15–40 on 0–255.</summary>
internal sealed class GaussianNoiseDrift() : PixelDrift("gaussian-noise")
{
    /// <summary>Additive per-channel Gaussian noise, sigma 15–40 (on 0–255), in place.</summary>
    protected override (SKBitmap Image, string Parameters) Transform(SKBitmap work, Random rng)
    {
        double sigma = 15 + 25 * rng.NextDouble();
        var gauss = new GaussianSource(rng);
        var span = work.GetPixelSpan();
        int rowBytes = work.RowBytes, w = work.Width;
        for (int y = 0; y < work.Height; y++)
        {
            var row = span.Slice(y * rowBytes, w * 4);
            for (int i = 0; i < row.Length; i += 4)
            {
                int a = row[i + 3];
                for (int c = 0; c < 3; c++)
                {
                    // Premultiplied: a channel may not exceed alpha.
                    double v = row[i + c] + sigma * gauss.Next() * a / 255.0;
                    row[i + c] = (byte)Math.Clamp((int)Math.Round(v), 0, a);
                }
            }
        }
        return (work, FormattableString.Invariant($"sigma={sigma:0.0}"));
    }
}
