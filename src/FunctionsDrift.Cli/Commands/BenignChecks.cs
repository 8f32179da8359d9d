using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Images;
using FunctionsDrift.Core.Scoring;
using SkiaSharp;

namespace FunctionsDrift.Cli.Commands;

/// <summary>
/// Changes a drift checker should let pass: a JPEG re-encode at quality 90–97, a 1 % white-balance cast (red ×1.01,
/// blue ×0.99) and an exposure 5 % lower (every channel ×0.95, what a passing cloud or the camera's auto-exposure does),
/// the last two saved losslessly, applied to clean test images and to reference images. Each counts the images the fused
/// verdict flags, and how many of those it did not flag unchanged: only those were flagged because of the change.
/// </summary>
internal static class BenignChecks
{
    public sealed record Outcome(string Change, string Images, int Flagged, int NewlyFlagged, int Total);

    /// <param name="clean">Clean test images; at most <paramref name="max"/> are used, evenly spaced.</param>
    /// <param name="flaggedUnchanged">Names of the clean test images the verdict already flags as they are.</param>
    /// <param name="reference">Reference images (the model was fitted on them), or empty when only a model file was given.</param>
    public static IReadOnlyList<Outcome> Run(IReadOnlyList<string> clean, IReadOnlySet<string> flaggedUnchanged, IReadOnlyList<string> reference,
        FeatureExtractor extractor, DriftScorer scorer, int max, CancellationToken ct)
    {
        var outcomes = new List<Outcome>();
        outcomes.AddRange(Check("clean test images", Sample(clean, max), f => flaggedUnchanged.Contains(Path.GetFileName(f)), extractor, scorer, ct));
        if (reference.Count > 0)
        {
            // A reference image is part of the model's memory, so it passes unchanged by construction; this isolates the encoder.
            outcomes.AddRange(Check("reference images", Sample(reference, max), _ => false, extractor, scorer, ct));
        }
        return outcomes;
    }

    private static List<string> Sample(IReadOnlyList<string> files, int max) =>
        files.Count <= max ? files.ToList() : Enumerable.Range(0, max).Select(i => files[i * files.Count / max]).ToList();

    /// <summary>A benign change: its name in the table, and the encoded bytes of an image so changed (image, its index).</summary>
    private sealed record Change(string Name, Func<SKBitmap, int, byte[]> Apply);

    private static readonly Change[] Changes =
    [
        new("re-encoded as JPEG, quality 90–97", (image, i) => Encode(image, SKEncodedImageFormat.Jpeg, 90 + i % 8)),
        new("1 % white-balance cast (red ×1.01, blue ×0.99)", (image, _) => EncodedWithGains(image, 1.01f, 1, 0.99f)),
        new("exposure 5 % lower (every channel ×0.95)", (image, _) => EncodedWithGains(image, 0.95f, 0.95f, 0.95f)),
    ];

    private static Outcome[] Check(string images, List<string> sample, Func<string, bool> flaggedAsIs, FeatureExtractor extractor, DriftScorer scorer, CancellationToken ct)
    {
        var flagged = new int[Changes.Length];
        var newly = new int[Changes.Length];
        Parallel.For(0, sample.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct }, i =>
        {
            bool before = flaggedAsIs(sample[i]);
            using var image = ImageLoader.LoadFile(sample[i], ImageLoadOptions.Default);
            for (int c = 0; c < Changes.Length; c++)
            {
                if (!scorer.Score(extractor.Extract(Changes[c].Apply(image, i), scorer.Model.RegionCell)).Drift) continue;
                Interlocked.Increment(ref flagged[c]);
                if (!before) Interlocked.Increment(ref newly[c]);
            }
        });
        return Changes.Select((c, k) => new Outcome(c.Name, images, flagged[k], newly[k], sample.Count)).ToArray();
    }

    private static byte[] Encode(SKBitmap image, SKEncodedImageFormat format, int quality)
    {
        using var data = image.Encode(format, quality) ?? throw new CliException($"cannot encode {format}");
        return data.ToArray();
    }

    /// <summary>The image with each channel multiplied by its gain, as PNG (lossless, so only the gains change it).</summary>
    private static byte[] EncodedWithGains(SKBitmap image, float red, float green, float blue)
    {
        // Skia draws only into premultiplied pixels; the frames are opaque, so nothing changes but the tag.
        using var result = new SKBitmap(image.Info.WithAlphaType(SKAlphaType.Premul));
        using var filter = SKColorFilter.CreateColorMatrix([red, 0, 0, 0, 0, 0, green, 0, 0, 0, 0, 0, blue, 0, 0, 0, 0, 0, 1, 0]);
        using var paint = new SKPaint { ColorFilter = filter, BlendMode = SKBlendMode.Src };
        using (var canvas = new SKCanvas(result))
        {
            canvas.DrawBitmap(image, 0, 0, paint);
        }
        return Encode(result, SKEncodedImageFormat.Png, 100);
    }
}
