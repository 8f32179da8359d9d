using FunctionsDrift.Core;
using FunctionsDrift.Core.Augmentation;
using FunctionsDrift.Core.Images;
using SkiaSharp;

namespace FunctionsDrift.Cli.Commands;

/// <summary>Kind parsing and object loading shared by <c>drift augment</c> and <c>drift gallery</c>.</summary>
internal static class AugmentSupport
{
    public const int DefaultSeed = 42;

    /// <summary>Comma-separated kebab-case kinds; null, empty or "all" means every kind. Duplicates are dropped.</summary>
    public static List<DriftKind> ParseKinds(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Trim().Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            return [.. DriftKinds.All];
        }
        var kinds = new List<DriftKind>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!DriftKinds.TryParse(part, out var kind))
            {
                throw new CliException($"unknown kind '{part}'; valid kinds: {DriftKinds.ValidNames}", ExitCode.Usage);
            }
            if (!kinds.Contains(kind))
            {
                kinds.Add(kind);
            }
        }
        if (kinds.Count == 0)
        {
            throw new CliException($"no kinds given; valid kinds: {DriftKinds.ValidNames}", ExitCode.Usage);
        }
        return kinds;
    }

    /// <summary>
    /// A generator with the images of <paramref name="objectsDir"/> (decoded with a short side of at least 512 px), or with
    /// synthetic objects when the folder is not given. Unreadable object images are reported on stderr and skipped.
    /// </summary>
    public static DriftGenerator CreateGenerator(string? objectsDir, CliContext ctx)
    {
        if (string.IsNullOrEmpty(objectsDir))
        {
            return new DriftGenerator();
        }
        var bitmaps = new List<SKBitmap>();
        var names = new List<string>();
        try
        {
            foreach (var path in CommonOptions.ListImages(ctx, objectsDir))
            {
                try
                {
                    bitmaps.Add(ImageLoader.LoadFile(path, new ImageLoadOptions { MinShortSide = 512 }));
                    names.Add(Path.GetFileName(path));
                }
                catch (DriftException e)
                {
                    ctx.Error.WriteLine($"warning: skipping object {Path.GetFileName(path)}: {e.Message}");
                }
            }
            if (bitmaps.Count == 0)
            {
                throw new CliException($"no readable object images in {objectsDir}", ExitCode.Usage);
            }
            return new DriftGenerator(bitmaps, names);
        }
        finally
        {
            bitmaps.ForEach(b => b.Dispose());
        }
    }

    /// <summary>Writes a JPEG (quality 92 by default).</summary>
    public static void WriteJpeg(SKBitmap bitmap, string path, int quality = 92)
    {
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, quality)
            ?? throw new CliException($"could not encode {Path.GetFileName(path)} as JPEG");
        using var stream = File.Create(path);
        data.SaveTo(stream);
    }
}
