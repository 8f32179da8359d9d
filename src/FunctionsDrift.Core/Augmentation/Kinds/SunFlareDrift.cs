using SkiaSharp;

namespace FunctionsDrift.Core.Augmentation.Kinds;

/// <summary>Bright sun disc with halo and a line of flare circles.</summary>
internal sealed class SunFlareDrift() : PixelDrift("sun-flare")
{
    /// <summary>
    /// Like albumentations RandomSunFlare: a sun in the upper half (radial gradient, 25–50 % of the short side, plus a wide halo)
    /// and 6–10 translucent flare circles along a random line through it.
    /// </summary>
    protected override (SKBitmap Image, string Parameters) Transform(SKBitmap work, Random rng)
    {
        int w = work.Width, h = work.Height;
        float minSide = Math.Min(w, h);
        float cx = w * (0.1f + 0.8f * (float)rng.NextDouble());
        float cy = h * (0.05f + 0.4f * (float)rng.NextDouble());
        float radius = minSide * (0.25f + 0.25f * (float)rng.NextDouble());
        double angle = rng.NextDouble() * 2 * Math.PI;
        int circles = rng.Next(6, 11);

        var result = new SKBitmap(work.Info);
        using var canvas = new SKCanvas(result);
        using (var image = SKImage.FromBitmap(work))
        {
            canvas.DrawImage(image, 0, 0);
        }

        using (var paint = new SKPaint { IsAntialias = true })
        {
            for (int i = 0; i < circles; i++)
            {
                float dist = minSide * (0.15f + 1.1f * (float)rng.NextDouble());
                float px = cx + (float)Math.Cos(angle) * dist;
                float py = cy + (float)Math.Sin(angle) * dist;
                float r = minSide * (0.015f + 0.06f * (float)rng.NextDouble());
                byte a = (byte)(255 * (0.12f + 0.25f * (float)rng.NextDouble()));
                paint.Color = new SKColor(255, (byte)(255 - rng.Next(50)), (byte)(255 - rng.Next(90)), a);
                canvas.DrawCircle(px, py, r, paint);
            }
        }

        var center = new SKPoint(cx, cy);
        using (var halo = SKShader.CreateRadialGradient(center, radius * 1.8f,
                   [new SKColor(255, 244, 214, 110), new SKColor(255, 244, 214, 0)], [0f, 1f], SKShaderTileMode.Clamp))
        using (var paint = new SKPaint { Shader = halo })
        {
            canvas.DrawCircle(cx, cy, radius * 1.8f, paint);
        }
        using (var sun = SKShader.CreateRadialGradient(center, radius,
                   [SKColors.White, new SKColor(255, 255, 250, 235), new SKColor(255, 250, 230, 90), new SKColor(255, 250, 230, 0)],
                   [0f, 0.12f, 0.45f, 1f], SKShaderTileMode.Clamp))
        using (var paint = new SKPaint { Shader = sun })
        {
            canvas.DrawCircle(cx, cy, radius, paint);
        }
        canvas.Flush();
        return (result, FormattableString.Invariant($"center=({cx:0},{cy:0}) radius={radius:0} circles={circles}"));
    }
}
