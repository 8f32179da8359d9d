using SkiaSharp;

namespace FunctionsDrift.Core.Augmentation.Kinds;

/// <summary>Random brightness, contrast, saturation and hue, each clearly away from identity.</summary>
internal sealed class ColorJitterDrift() : PixelDrift("color-jitter")
{
    /// <summary>Brightness ±0.2–0.4, contrast ±0.2–0.45, saturation ±0.3–0.8, hue ±15–45°: each clearly away from 1 (or 0°).</summary>
    protected override (SKBitmap Image, string Parameters) Transform(SKBitmap work, Random rng)
    {
        float Sign() => rng.Next(2) == 0 ? -1f : 1f;
        float Uniform(float lo, float hi) => lo + (hi - lo) * (float)rng.NextDouble();
        float brightness = 1 + Sign() * Uniform(0.2f, 0.4f);
        float contrast = 1 + Sign() * Uniform(0.2f, 0.45f);
        float saturation = Math.Max(0.1f, 1 + Sign() * Uniform(0.3f, 0.8f));
        float hue = Sign() * Uniform(15f, 45f);
        var m = ColorMatrix.Then(ColorMatrix.Brightness(brightness), ColorMatrix.Contrast(contrast));
        m = ColorMatrix.Then(m, ColorMatrix.Saturation(saturation));
        m = ColorMatrix.Then(m, ColorMatrix.HueRotate(hue));
        return (Pixels.ColorMatrix(work, m),
            FormattableString.Invariant($"brightness={brightness:0.00} contrast={contrast:0.00} saturation={saturation:0.00} hue={hue:+0;-0}°"));
    }
}
