namespace FunctionsDrift.Core.Augmentation;

/// <summary>All drift kinds, in the order the CLI lists and cycles through them, and their names.</summary>
public static class DriftKinds
{
    /// <summary>Every kind; adding a kind means a class under <c>Kinds/</c>, a property on <see cref="DriftKind"/> and a line here.</summary>
    public static IReadOnlyList<DriftKind> All { get; } =
    [
        DriftKind.VerticalFlip,
        DriftKind.Downscale,
        DriftKind.Rain,
        DriftKind.GaussianNoise,
        DriftKind.Emboss,
        DriftKind.ColorJitter,
        DriftKind.Invert,
        DriftKind.Grayscale,
        DriftKind.SunFlare,
        DriftKind.ChannelShuffle,
        DriftKind.ObjectPaste,
    ];

    /// <summary>Parses a kebab-case name (case-insensitive; <c>_</c> for <c>-</c> and the PascalCase name are accepted too).</summary>
    public static bool TryParse(string? name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DriftKind? kind)
    {
        var key = (name ?? "").Trim().Replace('_', '-');
        kind = All.FirstOrDefault(k =>
            string.Equals(k.Name, key, StringComparison.OrdinalIgnoreCase) ||
            string.Equals(k.Name.Replace("-", "", StringComparison.Ordinal), key, StringComparison.OrdinalIgnoreCase));
        return kind is not null;
    }

    /// <summary>"vertical-flip, downscale, …" for error messages and help text.</summary>
    public static string ValidNames => string.Join(", ", All.Select(k => k.Name));
}
