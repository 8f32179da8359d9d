using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Images;
using FunctionsDrift.Core.Scoring;
using SkiaSharp;

namespace FunctionsDrift.Cli.Commands;

/// <summary>
/// Changes a drift checker should let pass, applied to clean test images: a JPEG re-encode at quality 90–97 and a 1 %
/// white-balance cast (red ×1.01, blue ×0.99, saved losslessly). Each counts the images the fused verdict flags.
/// </summary>
internal static class BenignChecks
{
    public sealed record Outcome(string Change, int Flagged, int Total);

    /// <param name="clean">Clean images; at most <paramref name="max"/> are used, evenly spaced.</param>
    public static IReadOnlyList<Outcome> Run(IReadOnlyList<string> clean, FeatureExtractor extractor, DriftScorer scorer, int max, CancellationToken ct)
    {
        var sample = clean.Count <= max ? clean : Enumerable.Range(0, max).Select(i => clean[i * clean.Count / max]).ToList();
        int reencoded = 0, cast = 0;
        Parallel.For(0, sample.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct }, i =>
        {
            using var image = ImageLoader.LoadFile(sample[i], ImageLoadOptions.Default);
            if (scorer.Score(extractor.Extract(Encode(image, SKEncodedImageFormat.Jpeg, 90 + i % 8))).Drift) Interlocked.Increment(ref reencoded);
            using var warmer = WhiteBalance(image, 1.01f, 0.99f);
            if (scorer.Score(extractor.Extract(Encode(warmer, SKEncodedImageFormat.Png, 100))).Drift) Interlocked.Increment(ref cast);
        });
        return [new("re-encoded as JPEG, quality 90–97", reencoded, sample.Count), new("1 % white-balance cast (red ×1.01, blue ×0.99)", cast, sample.Count)];
    }

    private static byte[] Encode(SKBitmap image, SKEncodedImageFormat format, int quality)
    {
        using var data = image.Encode(format, quality) ?? throw new CliException($"cannot encode {format}");
        return data.ToArray();
    }

    private static SKBitmap WhiteBalance(SKBitmap image, float red, float blue)
    {
        // Skia draws only into premultiplied pixels; the frames are opaque, so nothing changes but the tag.
        var result = new SKBitmap(image.Info.WithAlphaType(SKAlphaType.Premul));
        using var filter = SKColorFilter.CreateColorMatrix([red, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, blue, 0, 0, 0, 0, 0, 1, 0]);
        using var paint = new SKPaint { ColorFilter = filter, BlendMode = SKBlendMode.Src };
        using var canvas = new SKCanvas(result);
        canvas.DrawBitmap(image, 0, 0, paint);
        return result;
    }
}
