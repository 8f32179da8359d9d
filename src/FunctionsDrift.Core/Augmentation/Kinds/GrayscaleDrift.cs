using SkiaSharp;

namespace FunctionsDrift.Core.Augmentation.Kinds;

/// <summary>Luma only (R = G = B).</summary>
internal sealed class GrayscaleDrift() : PixelDrift("grayscale")
{
    protected override (SKBitmap Image, string Parameters) Transform(SKBitmap work, Random rng) =>
        (Pixels.ColorMatrix(work, ColorMatrix.Grayscale()), "luma=bt601");
}
