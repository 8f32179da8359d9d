using SkiaSharp;

namespace FunctionsDrift.Core.Augmentation.Kinds;

/// <summary>
/// An object (one of the generator's images, or a synthetic shape) pasted with a soft edge, covering a share of the frame
/// drawn log-uniformly between <see cref="DriftGenerator.MinObjectArea"/> and <see cref="DriftGenerator.MaxObjectArea"/>.
/// </summary>
internal sealed class ObjectPasteDrift() : DriftKind("object-paste")
{
    internal override AugmentResult Apply(SKBitmap source, Random rng, DriftGenerator generator)
    {
        double area = Math.Exp(Math.Log(DriftGenerator.MinObjectArea)
            + rng.NextDouble() * (Math.Log(DriftGenerator.MaxObjectArea) - Math.Log(DriftGenerator.MinObjectArea)));
        return generator.PasteObject(source, rng, area);
    }
}
