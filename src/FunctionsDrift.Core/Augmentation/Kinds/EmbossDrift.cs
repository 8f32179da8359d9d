using SkiaSharp;

namespace FunctionsDrift.Core.Augmentation.Kinds;

/// <summary>Emboss convolution blended with the original.</summary>
internal sealed class EmbossDrift() : PixelDrift("emboss")
{
    /// <summary>albumentations Emboss, stronger: the emboss kernel (strength 0.4–1.0) blended with identity by alpha 0.5–0.9.</summary>
    protected override (SKBitmap Image, string Parameters) Transform(SKBitmap work, Random rng)
    {
        float alpha = 0.5f + 0.4f * (float)rng.NextDouble();
        float s = 0.4f + 0.6f * (float)rng.NextDouble();
        float[] emboss = [-1 - s, -s, 0, -s, 1, s, 0, s, 1 + s];
        var kernel = new float[9];
        for (int i = 0; i < 9; i++)
        {
            kernel[i] = alpha * emboss[i] + (i == 4 ? 1 - alpha : 0);
        }
        using var filter = SKImageFilter.CreateMatrixConvolution(
            new SKSizeI(3, 3), kernel, 1f, 0f, new SKPointI(1, 1), SKShaderTileMode.Clamp, false);
        using var paint = new SKPaint { ImageFilter = filter, BlendMode = SKBlendMode.Src };
        return (Pixels.DrawThrough(work, paint), FormattableString.Invariant($"alpha={alpha:0.00} strength={s:0.00}"));
    }
}
