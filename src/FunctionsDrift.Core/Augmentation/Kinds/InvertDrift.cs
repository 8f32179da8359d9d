using SkiaSharp;

namespace FunctionsDrift.Core.Augmentation.Kinds;

/// <summary>Negative image.</summary>
internal sealed class InvertDrift() : PixelDrift("invert")
{
    protected override (SKBitmap Image, string Parameters) Transform(SKBitmap work, Random rng) =>
        (Pixels.ColorMatrix(work, ColorMatrix.Invert()), "negative");
}
