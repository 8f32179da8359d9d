namespace FunctionsDrift.Core.Pipeline;

/// <summary>Lists the images of a folder in file-name (ordinal) order — the time order of a camera's numbered frames.</summary>
public static class ImageFolder
{
    public static readonly string[] Extensions = [".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif"];

    /// <summary>Image formats a camera or an editing tool may write that the decoder (SkiaSharp) cannot read.</summary>
    public static readonly string[] UnreadableExtensions =
        [".tif", ".tiff", ".heic", ".heif", ".avif", ".jxl", ".jp2", ".j2k", ".dng", ".cr2", ".nef", ".arw", ".raw", ".psd", ".exr", ".hdr", ".pgm", ".ppm", ".pnm", ".svg"];

    public static bool IsImage(string path) => Extensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    /// <summary>The folder's images in name order.</summary>
    public static IReadOnlyList<string> List(string directory) => Scan(directory).Images;

    /// <summary>
    /// One listing of the folder, in name order: the images <see cref="List"/> returns, and the images of a format it
    /// leaves out (<see cref="UnreadableExtensions"/>), so that a caller can say which were skipped.
    /// </summary>
    public static (IReadOnlyList<string> Images, IReadOnlyList<string> Unreadable) Scan(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new DriftException($"folder not found: {directory}");
        }
        var files = Directory.EnumerateFiles(directory).OrderBy(p => Path.GetFileName(p), StringComparer.Ordinal).ToList();
        return (files.Where(IsImage).ToList(), files.Where(p => UnreadableExtensions.Contains(Path.GetExtension(p).ToLowerInvariant())).ToList());
    }
}
