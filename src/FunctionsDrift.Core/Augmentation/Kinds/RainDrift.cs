using SkiaSharp;

namespace FunctionsDrift.Core.Augmentation.Kinds;

/// <summary>Thin slanted semi-transparent streaks, slight blur and darkening.</summary>
internal sealed class RainDrift() : PixelDrift("rain")
{
    /// <summary>
    /// Like albumentations RandomRain: about one drop per 600 px², slanted by up to ±10 px per 20 px of length,
    /// light grey and semi-transparent, over a slightly blurred and darkened frame.
    /// </summary>
    protected override (SKBitmap Image, string Parameters) Transform(SKBitmap work, Random rng)
    {
        int w = work.Width, h = work.Height;
        float unit = Math.Max(1f, h / 480f);
        int slant = rng.Next(-10, 11);
        float length = (15 + rng.Next(16)) * unit;
        float dx = slant * length / 20f;
        int drops = Math.Max(1, (int)(w * (double)h / 600 * (0.6 + 0.8 * rng.NextDouble())));
        float alpha = 0.6f + 0.3f * (float)rng.NextDouble();
        float sigma = (0.8f + 0.8f * (float)rng.NextDouble()) * unit;
        float brightness = 0.65f + 0.15f * (float)rng.NextDouble();

        using var path = new SKPath();
        for (int i = 0; i < drops; i++)
        {
            float x = (float)(rng.NextDouble() * (w + Math.Abs(dx))) - Math.Max(0, dx);
            float y = (float)(rng.NextDouble() * Math.Max(1, h - length));
            path.MoveTo(x, y);
            path.LineTo(x + dx, y + length);
        }

        // The frame is blurred and darkened first, then the streaks go on top (softened a little), so they stay visible.
        using var blur = SKImageFilter.CreateBlur(sigma, sigma, SKShaderTileMode.Clamp, null);
        using var darken = SKColorFilter.CreateColorMatrix(ColorMatrix.Brightness(brightness));
        using var through = new SKPaint { ImageFilter = blur, ColorFilter = darken, BlendMode = SKBlendMode.Src };
        var result = Pixels.DrawThrough(work, through);
        using (var canvas = new SKCanvas(result))
        using (var soften = SKMaskFilter.CreateBlur(SKBlurStyle.Normal, 0.5f * unit))
        using (var paint = new SKPaint
        {
            IsAntialias = true,
            Style = SKPaintStyle.Stroke,
            StrokeWidth = Math.Max(1f, MathF.Round(unit)),
            Color = new SKColor(200, 200, 200, (byte)(alpha * 255)),
            MaskFilter = soften,
        })
        {
            canvas.DrawPath(path, paint);
            canvas.Flush();
        }
        return (result, FormattableString.Invariant($"drops={drops} slant={slant} length={length:0} blur={sigma:0.0} brightness={brightness:0.00}"));
    }
}
