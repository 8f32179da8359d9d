using SkiaSharp;

namespace FunctionsDrift.Core.Augmentation;

/// <summary>One picture of a gallery: the original or one transformation of it. Owns <see cref="Image"/>.</summary>
/// <param name="Title">"original", a kind name (<c>sun-flare</c>) or <c>object-paste (small)</c>.</param>
/// <param name="Kind">The transformation, null for the original.</param>
/// <param name="Parameters">The parameters used (empty for the original).</param>
/// <param name="Image">Full-size RGBA8888 unpremultiplied image.</param>
public sealed record GalleryTile(string Title, DriftKind? Kind, string Parameters, SKBitmap Image) : IDisposable
{
    public void Dispose() => Image.Dispose();
}

/// <summary>Renders every drift of one image and lays the results out as a captioned grid.</summary>
public static class DriftGallery
{
    /// <summary>Where the captions' font is looked for; without it the grid has no text.</summary>
    public const string DefaultFontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

    /// <summary>Object pastes shown in the gallery: share of the frame covered.</summary>
    public static IReadOnlyList<(string Label, double Area)> PasteSizes { get; } = [("small", 0.04), ("medium", 0.12), ("large", 0.30)];

    /// <summary>
    /// The original, then every kind except <see cref="DriftKind.ObjectPaste"/>, then three object pastes (small, medium, large).
    /// Tile <c>i</c> uses <see cref="SeedMixer.For"/>(<paramref name="seed"/>, i), so a seed reproduces the gallery.
    /// </summary>
    public static List<GalleryTile> Render(SKBitmap source, DriftGenerator generator, int seed, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(generator);
        var tiles = new List<GalleryTile>();
        try
        {
            tiles.Add(new GalleryTile("original", null, $"{source.Width}x{source.Height}", Pixels.ToUnpremul(source)));
            int index = 1;
            foreach (var kind in DriftKinds.All)
            {
                if (kind == DriftKind.ObjectPaste)
                {
                    continue;
                }
                ct.ThrowIfCancellationRequested();
                var r = generator.Apply(source, kind, SeedMixer.For(seed, index++));
                tiles.Add(new GalleryTile(kind.Name, kind, r.Parameters, r.Image));
            }
            foreach (var (label, area) in PasteSizes)
            {
                ct.ThrowIfCancellationRequested();
                var r = generator.PasteObject(source, SeedMixer.For(seed, index++), area);
                tiles.Add(new GalleryTile($"{DriftKind.ObjectPaste.Name} ({label})", DriftKind.ObjectPaste, r.Parameters, r.Image));
            }
            return tiles;
        }
        catch
        {
            tiles.ForEach(t => t.Dispose());
            throw;
        }
    }

    /// <summary>Loads a TrueType font, or null when the file is missing or unreadable (the grid is then drawn without captions).</summary>
    public static SKTypeface? TryLoadTypeface(string? path)
    {
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            return null;
        }
        try
        {
            return SKTypeface.FromFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// Lays the tiles out in a grid of <paramref name="columns"/> thumbnails, <paramref name="thumbWidth"/> px wide (height from the
    /// first tile's aspect), with a two-part caption (title, wrapped parameters) under each when <paramref name="typeface"/> is given.
    /// </summary>
    /// <returns>An opaque RGBA8888 bitmap (encodes to an RGB PNG).</returns>
    public static SKBitmap Compose(IReadOnlyList<GalleryTile> tiles, int thumbWidth = 320, int columns = 4, SKTypeface? typeface = null)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        ArgumentOutOfRangeException.ThrowIfZero(tiles.Count);
        ArgumentOutOfRangeException.ThrowIfLessThan(thumbWidth, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);

        const int pad = 10;
        float titleSize = Math.Clamp(thumbWidth / 20f, 11f, 18f);
        float paramSize = Math.Clamp(thumbWidth / 27f, 9f, 14f);
        int captionHeight = typeface is null ? 0 : (int)Math.Ceiling(titleSize * 1.4f + paramSize * 1.3f * 2 + 6);
        var first = tiles[0].Image;
        int thumbHeight = Math.Max(1, (int)Math.Round(thumbWidth * first.Height / (double)first.Width));
        columns = Math.Min(columns, tiles.Count);
        int rows = (tiles.Count + columns - 1) / columns;
        int width = pad + columns * (thumbWidth + pad);
        int height = pad + rows * (thumbHeight + captionHeight + pad);

        var grid = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using var canvas = new SKCanvas(grid);
        canvas.Clear(new SKColor(0x1b, 0x1d, 0x21));
        using var titleFont = typeface is null ? null : new SKFont(typeface, titleSize) { Subpixel = true, Edging = SKFontEdging.Antialias };
        using var paramFont = typeface is null ? null : new SKFont(typeface, paramSize) { Subpixel = true, Edging = SKFontEdging.Antialias };
        using var titlePaint = new SKPaint { IsAntialias = true, Color = SKColors.White };
        using var paramPaint = new SKPaint { IsAntialias = true, Color = new SKColor(0xb8, 0xbe, 0xc8) };
        var sampling = new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);

        for (int i = 0; i < tiles.Count; i++)
        {
            int x = pad + (i % columns) * (thumbWidth + pad);
            int y = pad + (i / columns) * (thumbHeight + captionHeight + pad);
            using (var image = SKImage.FromBitmap(tiles[i].Image))
            {
                canvas.DrawImage(image, new SKRect(x, y, x + thumbWidth, y + thumbHeight), sampling);
            }
            if (titleFont is null || paramFont is null)
            {
                continue;
            }
            float baseline = y + thumbHeight + titleSize * 1.2f;
            canvas.DrawText(Fit(tiles[i].Title, titleFont, thumbWidth), x, baseline, SKTextAlign.Left, titleFont, titlePaint);
            foreach (var line in Wrap(tiles[i].Parameters, paramFont, thumbWidth, 2))
            {
                baseline += paramSize * 1.3f;
                canvas.DrawText(line, x, baseline, SKTextAlign.Left, paramFont, paramPaint);
            }
        }
        canvas.Flush();
        return grid;
    }

    /// <summary>PNG with the strongest zlib level (the gallery goes into a README).</summary>
    public static SKData EncodePng(SKBitmap bitmap)
    {
        using var pixmap = bitmap.PeekPixels();
        return pixmap.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, 9))
            ?? throw new DriftException("PNG encoding failed");
    }

    /// <summary>Word-wraps on spaces into at most <paramref name="maxLines"/> lines; the last one ends with "…" when text is left.</summary>
    internal static List<string> Wrap(string text, SKFont font, float width, int maxLines)
    {
        var lines = new List<string>();
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var current = "";
        int i = 0;
        for (; i < words.Length; i++)
        {
            var candidate = current.Length == 0 ? words[i] : current + " " + words[i];
            if (font.MeasureText(candidate) <= width || current.Length == 0)
            {
                current = candidate;
                continue;
            }
            lines.Add(current);
            current = words[i];
            if (lines.Count == maxLines)
            {
                break;
            }
        }
        if (lines.Count < maxLines && current.Length > 0)
        {
            lines.Add(current);
            current = "";
            i = words.Length;
        }
        if (lines.Count > 0 && (i < words.Length || current.Length > 0) && lines.Count == maxLines)
        {
            lines[^1] = Fit(lines[^1] + " …", font, width);
        }
        for (int k = 0; k < lines.Count; k++)
        {
            lines[k] = Fit(lines[k], font, width);
        }
        return lines;
    }

    /// <summary>Cuts <paramref name="text"/> to fit <paramref name="width"/>, ending with "…" when cut.</summary>
    internal static string Fit(string text, SKFont font, float width)
    {
        if (font.MeasureText(text) <= width)
        {
            return text;
        }
        for (int n = text.Length - 1; n > 0; n--)
        {
            var cut = text[..n].TrimEnd() + "…";
            if (font.MeasureText(cut) <= width)
            {
                return cut;
            }
        }
        return "…";
    }
}
