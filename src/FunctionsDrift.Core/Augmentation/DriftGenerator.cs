using SkiaSharp;

namespace FunctionsDrift.Core.Augmentation;

/// <summary>
/// Applies the study's synthetic drifts (<see cref="DriftKind"/>) to an image with SkiaSharp. Deterministic: the same source,
/// kind and <see cref="Random"/> state give identical pixels. The output always has the size of the input.
/// </summary>
/// <remarks>
/// Each kind does its own work (<see cref="DriftKinds.All"/>); the generator holds what they share, the object images to
/// paste. Results are RGBA8888 unpremultiplied, like <see cref="Images.ImageLoader"/>'s output.
/// </remarks>
public sealed partial class DriftGenerator : IDisposable
{
    /// <summary>Smallest share of the frame an <see cref="DriftKind.ObjectPaste"/> covers.</summary>
    public const double MinObjectArea = 0.03;

    /// <summary>Largest share of the frame an <see cref="DriftKind.ObjectPaste"/> covers.</summary>
    public const double MaxObjectArea = 0.35;

    private readonly List<PasteSource> _objects = [];

    /// <summary>Creates a generator.</summary>
    /// <param name="objects">Images to paste for <see cref="DriftKind.ObjectPaste"/>; copied, so the caller keeps ownership. When empty, synthetic objects are drawn.</param>
    /// <param name="names">Optional names (e.g. file names) of <paramref name="objects"/>, used in the parameters text.</param>
    public DriftGenerator(IReadOnlyList<SKBitmap>? objects = null, IReadOnlyList<string>? names = null)
    {
        if (objects is null)
        {
            return;
        }
        for (int i = 0; i < objects.Count; i++)
        {
            var name = names is not null && i < names.Count ? names[i] : $"object{i + 1}";
            _objects.Add(PasteSource.Create(objects[i], name));
        }
    }

    /// <summary>Number of object images; 0 means synthetic objects.</summary>
    public int ObjectCount => _objects.Count;

    /// <summary>Applies <paramref name="kind"/> to <paramref name="source"/> with parameters drawn from <paramref name="rng"/>.</summary>
    public AugmentResult Apply(SKBitmap source, DriftKind kind, Random rng)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(rng);
        return kind.Apply(source, rng, this);
    }

    public void Dispose()
    {
        foreach (var o in _objects)
        {
            o.Dispose();
        }
        _objects.Clear();
    }
}
