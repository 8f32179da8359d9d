using SkiaSharp;

namespace FunctionsDrift.Core.Augmentation.Kinds;

/// <summary>Shrink by 0.15–0.4 and scale back up: loss of resolution.</summary>
internal sealed class DownscaleDrift() : PixelDrift("downscale")
{
    /// <summary>Shrinks by 0.15–0.4 and scales back with nearest or bilinear sampling (no mipmaps: aliasing is the point).</summary>
    protected override (SKBitmap Image, string Parameters) Transform(SKBitmap work, Random rng)
    {
        double scale = 0.15 + 0.25 * rng.NextDouble();
        bool nearest = rng.Next(2) == 0;
        var sampling = new SKSamplingOptions(nearest ? SKFilterMode.Nearest : SKFilterMode.Linear, SKMipmapMode.None);
        int sw = Math.Max(1, (int)Math.Round(work.Width * scale));
        int sh = Math.Max(1, (int)Math.Round(work.Height * scale));

        using var small = new SKBitmap(new SKImageInfo(sw, sh, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(small))
        using (var image = SKImage.FromBitmap(work))
        using (var paint = new SKPaint { BlendMode = SKBlendMode.Src })
        {
            canvas.DrawImage(image, new SKRect(0, 0, sw, sh), sampling, paint);
        }
        var result = new SKBitmap(work.Info);
        using (var canvas = new SKCanvas(result))
        using (var image = SKImage.FromBitmap(small))
        using (var paint = new SKPaint { BlendMode = SKBlendMode.Src })
        {
            canvas.DrawImage(image, new SKRect(0, 0, work.Width, work.Height), sampling, paint);
        }
        return (result, FormattableString.Invariant($"scale={scale:0.00} ({sw}x{sh}) interpolation={(nearest ? "nearest" : "linear")}"));
    }
}
