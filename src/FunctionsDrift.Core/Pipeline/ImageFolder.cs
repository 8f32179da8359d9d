namespace FunctionsDrift.Core.Pipeline;

/// <summary>Lists the images of a folder in file-name (ordinal) order — the time order of a camera's numbered frames.</summary>
public static class ImageFolder
{
    public static readonly string[] Extensions = [".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif"];

    /// <summary>Image formats a camera or an editing tool may write that the decoder (SkiaSharp) cannot read.</summary>
    public static readonly string[] UnreadableExtensions =
        [".tif", ".tiff", ".heic", ".heif", ".avif", ".jxl", ".jp2", ".j2k", ".dng", ".cr2", ".nef", ".arw", ".raw", ".psd", ".exr", ".hdr", ".pgm", ".ppm", ".pnm", ".svg"];

    public static bool IsImage(string path) => Extensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    /// <summary>Files of the folder that are images of a format <see cref="List"/> leaves out, in name order.</summary>
    public static IReadOnlyList<string> Unreadable(string directory) =>
        InNameOrder(directory, p => UnreadableExtensions.Contains(Path.GetExtension(p).ToLowerInvariant()));

    public static IReadOnlyList<string> List(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new DriftException($"folder not found: {directory}");
        }
        return InNameOrder(directory, IsImage);
    }

    private static List<string> InNameOrder(string directory, Func<string, bool> keep) =>
        Directory.EnumerateFiles(directory)
            .Where(keep)
            .OrderBy(p => Path.GetFileName(p), StringComparer.Ordinal)
            .ToList();
}
