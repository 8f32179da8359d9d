using SkiaSharp;

namespace FunctionsDrift.Core.Augmentation;

/// <summary>A drifted image (RGBA8888, unpremultiplied, same size as the source) and how it was made. Owns <see cref="Image"/>.</summary>
/// <param name="Image">The output; disposed with the result.</param>
/// <param name="Kind">The transformation applied.</param>
/// <param name="Parameters">Short human-readable parameters, e.g. <c>scale=0.31 interpolation=nearest</c>.</param>
public sealed record AugmentResult(SKBitmap Image, DriftKind Kind, string Parameters) : IDisposable
{
    public void Dispose() => Image.Dispose();
}
