namespace FunctionsDrift.Core.Augmentation;

/// <summary>
/// The synthetic drifts of the "Tokyo Drift" study (albumentations-like transformations), used to build labelled test sets.
/// </summary>
public enum DriftKind
{
    /// <summary>Upside-down image (camera mounted the wrong way).</summary>
    VerticalFlip,
    /// <summary>Shrink by 0.15–0.4 and scale back up: loss of resolution.</summary>
    Downscale,
    /// <summary>Thin slanted semi-transparent streaks, slight blur and darkening.</summary>
    Rain,
    /// <summary>Additive per-channel Gaussian noise, sigma 15–40 on 0–255.</summary>
    GaussianNoise,
    /// <summary>Emboss convolution blended with the original.</summary>
    Emboss,
    /// <summary>Random brightness, contrast, saturation and hue, each clearly away from identity.</summary>
    ColorJitter,
    /// <summary>Negative image.</summary>
    Invert,
    /// <summary>Luma only (R = G = B).</summary>
    Grayscale,
    /// <summary>Bright sun disc with halo and a line of flare circles.</summary>
    SunFlare,
    /// <summary>A non-identity permutation of the R, G, B channels.</summary>
    ChannelShuffle,
    /// <summary>An object (image or synthetic shape) pasted with a soft edge, 3–35 % of the frame.</summary>
    ObjectPaste,
}

/// <summary>Kebab-case names of <see cref="DriftKind"/> as used on the command line and in labels.csv.</summary>
public static class DriftKinds
{
    /// <summary>Every kind, in declaration order.</summary>
    public static IReadOnlyList<DriftKind> All { get; } = Enum.GetValues<DriftKind>();

    public static string ToName(this DriftKind kind) => kind switch
    {
        DriftKind.VerticalFlip => "vertical-flip",
        DriftKind.Downscale => "downscale",
        DriftKind.Rain => "rain",
        DriftKind.GaussianNoise => "gaussian-noise",
        DriftKind.Emboss => "emboss",
        DriftKind.ColorJitter => "color-jitter",
        DriftKind.Invert => "invert",
        DriftKind.Grayscale => "grayscale",
        DriftKind.SunFlare => "sun-flare",
        DriftKind.ChannelShuffle => "channel-shuffle",
        DriftKind.ObjectPaste => "object-paste",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Parses a kebab-case name (case-insensitive; <c>_</c> and the PascalCase enum name are accepted too).</summary>
    public static bool TryParse(string? name, out DriftKind kind)
    {
        var key = (name ?? "").Trim().Replace('_', '-');
        foreach (var k in All)
        {
            if (string.Equals(k.ToName(), key, StringComparison.OrdinalIgnoreCase) ||
                string.Equals(k.ToString(), key, StringComparison.OrdinalIgnoreCase))
            {
                kind = k;
                return true;
            }
        }
        kind = default;
        return false;
    }

    /// <summary>"vertical-flip, downscale, …" for error messages and help text.</summary>
    public static string ValidNames => string.Join(", ", All.Select(k => k.ToName()));
}
