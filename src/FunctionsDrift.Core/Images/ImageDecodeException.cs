namespace FunctionsDrift.Core.Images;

/// <summary>Why an image could not be used.</summary>
public enum ImageErrorKind
{
    /// <summary>Zero bytes.</summary>
    Empty,
    /// <summary>A known format whose data ends early or is damaged.</summary>
    Truncated,
    /// <summary>The bytes are not an image format we can read.</summary>
    NotAnImage,
    /// <summary>The header declares more pixels (or the file has more bytes) than the configured limit.</summary>
    TooLarge,
}

/// <summary>A bad input image: typed so callers can record it (an error row) instead of crashing.</summary>
public sealed class ImageDecodeException(ImageErrorKind kind, string message) : DriftException(message)
{
    public ImageErrorKind Kind { get; } = kind;
}
