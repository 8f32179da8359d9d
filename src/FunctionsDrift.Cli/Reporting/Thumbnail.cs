using FunctionsDrift.Core.Images;
using SkiaSharp;

namespace FunctionsDrift.Cli.Reporting;

/// <summary>Small JPEG thumbnails of scored images, for embedding in the report.</summary>
internal static class Thumbnail
{
    /// <summary>A base64 JPEG thumbnail of <paramref name="image"/> inside <paramref name="dir"/>, or null when outside it or unreadable.</summary>
    public static string? Base64Jpeg(string dir, string image, int width)
    {
        // With the trailing separator, a sibling folder that shares the prefix ("imgs" and "imgs-private") is outside.
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir)) + Path.DirectorySeparatorChar;
        var path = Path.GetFullPath(Path.Combine(root, image));
        if (!path.StartsWith(root, StringComparison.Ordinal) || !File.Exists(path)) return null;
        try
        {
            using var bitmap = ImageLoader.LoadFile(path);
            int w = Math.Min(width, bitmap.Width);
            int h = Math.Max(1, (int)Math.Round((double)bitmap.Height * w / bitmap.Width));
            using var small = bitmap.Resize(new SKImageInfo(w, h), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
            if (small is null) return null;
            using var data = small.Encode(SKEncodedImageFormat.Jpeg, 78);
            return data is null ? null : Convert.ToBase64String(data.AsSpan());
        }
        catch (Exception e) when (e is ImageDecodeException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
