using FunctionsDrift.Core.Augmentation.Kinds;
using SkiaSharp;

namespace FunctionsDrift.Core.Augmentation;

/// <summary>
/// One synthetic drift of the "Tokyo Drift" study (albumentations-like transformations), used to build labelled test sets.
/// Each kind is one class under <c>Kinds/</c>; <see cref="DriftKinds.All"/> lists them.
/// </summary>
public abstract class DriftKind
{
    /// <summary>Upside-down image (camera mounted the wrong way).</summary>
    public static DriftKind VerticalFlip { get; } = new VerticalFlipDrift();

    /// <summary>Shrink by 0.15–0.4 and scale back up: loss of resolution.</summary>
    public static DriftKind Downscale { get; } = new DownscaleDrift();

    /// <summary>Thin slanted semi-transparent streaks, slight blur and darkening.</summary>
    public static DriftKind Rain { get; } = new RainDrift();

    /// <summary>Additive per-channel Gaussian noise, sigma 15–40 on 0–255.</summary>
    public static DriftKind GaussianNoise { get; } = new GaussianNoiseDrift();

    /// <summary>Emboss convolution blended with the original.</summary>
    public static DriftKind Emboss { get; } = new EmbossDrift();

    /// <summary>Random brightness, contrast, saturation and hue, each clearly away from identity.</summary>
    public static DriftKind ColorJitter { get; } = new ColorJitterDrift();

    /// <summary>Negative image.</summary>
    public static DriftKind Invert { get; } = new InvertDrift();

    /// <summary>Luma only (R = G = B).</summary>
    public static DriftKind Grayscale { get; } = new GrayscaleDrift();

    /// <summary>Bright sun disc with halo and a line of flare circles.</summary>
    public static DriftKind SunFlare { get; } = new SunFlareDrift();

    /// <summary>A non-identity permutation of the R, G, B channels.</summary>
    public static DriftKind ChannelShuffle { get; } = new ChannelShuffleDrift();

    /// <summary>An object (image or synthetic shape) pasted with a soft edge, 3–35 % of the frame.</summary>
    public static DriftKind ObjectPaste { get; } = new ObjectPasteDrift();

    private protected DriftKind(string name) => Name = name;

    /// <summary>Kebab-case name, as used on the command line and in labels.csv.</summary>
    public string Name { get; }

    /// <summary>Applies this drift to <paramref name="source"/> with parameters drawn from <paramref name="rng"/>.</summary>
    internal abstract AugmentResult Apply(SKBitmap source, Random rng, DriftGenerator generator);

    /// <inheritdoc/>
    public override string ToString() => Name;
}
