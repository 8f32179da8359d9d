using SkiaSharp;

namespace FunctionsDrift.Core.Augmentation.Kinds;

/// <summary>
/// A drift that transforms the pixels of a premultiplied RGBA8888 copy of the source: Skia filters where Skia has one
/// (colour matrices, convolution, blur), row loops over spans for the rest.
/// </summary>
internal abstract class PixelDrift(string name) : DriftKind(name)
{
    internal sealed override AugmentResult Apply(SKBitmap source, Random rng, DriftGenerator generator)
    {
        using var work = Pixels.ToPremul(source);
        var (image, parameters) = Transform(work, rng);
        try
        {
            return new AugmentResult(Pixels.ToUnpremul(image), this, parameters);
        }
        finally
        {
            if (!ReferenceEquals(image, work))
            {
                image.Dispose();
            }
        }
    }

    /// <summary>
    /// Returns the drifted image (<paramref name="work"/> itself when changed in place, else a new premultiplied bitmap that
    /// the caller disposes) and its parameters, drawn from <paramref name="rng"/>.
    /// </summary>
    protected abstract (SKBitmap Image, string Parameters) Transform(SKBitmap work, Random rng);
}
