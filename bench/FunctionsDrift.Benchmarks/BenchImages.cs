using FunctionsDrift.Core;
using SkiaSharp;

namespace FunctionsDrift.Benchmarks;

/// <summary>
/// Camera pixels for the benchmarks: the committed gallery of a street-camera frame (<c>docs/img/gallery.png</c>), or the
/// image named by <c>DRIFT_BENCH_IMAGE</c>, stretched to a 768×576 frame, the size of the benchmark set's frames.
/// </summary>
internal static class BenchImages
{
    public const int Width = 768, Height = 576;

    /// <summary>The frame, RGBA8888 unpremultiplied.</summary>
    public static SKBitmap Frame()
    {
        var path = Environment.GetEnvironmentVariable("DRIFT_BENCH_IMAGE") ?? FindGallery();
        using var source = SKBitmap.Decode(path) ?? throw new DriftException($"cannot decode the benchmark image {path}");
        return source.Resize(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Unpremul), new SKSamplingOptions(SKFilterMode.Linear))
            ?? throw new DriftException($"cannot resize the benchmark image {path}");
    }

    /// <summary>A crop of <paramref name="frame"/> shifted by a few pixels, stretched back: near-duplicate frames of one camera.</summary>
    public static SKBitmap Shifted(SKBitmap frame, int dx, int dy)
    {
        using var subset = new SKBitmap();
        frame.ExtractSubset(subset, new SKRectI(dx, dy, frame.Width - 16 + dx, frame.Height - 16 + dy));
        return subset.Resize(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Unpremul), new SKSamplingOptions(SKFilterMode.Linear))
            ?? throw new DriftException("cannot resize a shifted frame");
    }

    public static byte[] Encode(SKBitmap bitmap, SKEncodedImageFormat format, int quality = 90)
    {
        using var data = bitmap.Encode(format, quality) ?? throw new DriftException($"cannot encode {format}");
        return data.ToArray();
    }

    private static string FindGallery()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "docs", "img", "gallery.png");
            if (File.Exists(candidate)) return candidate;
        }
        throw new DriftException("docs/img/gallery.png not found above the benchmark's folder; set DRIFT_BENCH_IMAGE to an image");
    }
}
