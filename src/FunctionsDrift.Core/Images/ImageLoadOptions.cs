namespace FunctionsDrift.Core.Images;

/// <summary>Limits and working size for decoding.</summary>
public readonly record struct ImageLoadOptions
{
    public ImageLoadOptions() { }

    /// <summary>Largest accepted width × height, checked from the header before any pixel is allocated. Default 50 MP.</summary>
    public long MaxPixels { get; init; } = 50_000_000;

    /// <summary>
    /// Largest width × height decoded at full size although a reduced size was asked for (<see cref="MinShortSide"/>): formats
    /// whose codec can neither scale nor decode row by row (GIF, and PNGs it cannot stream). Default 16 MP, a 64 MB bitmap.
    /// </summary>
    public long MaxUnreducedPixels { get; init; } = 16_000_000;

    /// <summary>Largest accepted encoded size in bytes. Default 64 MiB.</summary>
    public long MaxBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// When positive, decode at the smallest scale the codec supports whose shorter side is still at least this many pixels
    /// (JPEG decodes at 1/2, 1/4, 1/8 for almost nothing). 0 decodes at full size.
    /// </summary>
    /// <remarks>The engine needs 224 px for the network and little more for colour and quality statistics.</remarks>
    public int MinShortSide { get; init; }

    public static ImageLoadOptions Default => new();

    /// <summary>The options used for scoring: reduced decode to a short side of at least 256 px.</summary>
    public static ImageLoadOptions Scoring => new() { MinShortSide = 256 };
}
