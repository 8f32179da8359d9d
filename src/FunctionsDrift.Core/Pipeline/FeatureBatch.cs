using FunctionsDrift.Core.Features;

namespace FunctionsDrift.Core.Pipeline;

/// <summary>Features of one file, or why it could not be read.</summary>
public sealed record FileFeatures(string Path, ImageFeatures? Features, string? Error)
{
    public string Name => System.IO.Path.GetFileName(Path);
}

/// <summary>Extracts features for many files in parallel, keeping input order. Bad files become errors, not exceptions.</summary>
public static class FeatureBatch
{
    public static FileFeatures[] Extract(IReadOnlyList<string> files, FeatureExtractor extractor, int parallelism = 0,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var results = new FileFeatures[files.Count];
        int done = 0;
        var options = new ParallelOptions
        {
            MaxDegreeOfParallelism = parallelism > 0 ? parallelism : Environment.ProcessorCount,
            CancellationToken = cancellationToken,
        };
        int batch = extractor.Embedder?.MaxBatch ?? 1;
        int chunks = (files.Count + batch - 1) / batch;
        // Each worker takes a chunk of consecutive files: decodes them, then embeds the readable ones in one batch.
        Parallel.For(0, chunks, options, c =>
        {
            int start = c * batch, end = Math.Min(files.Count, start + batch);
            var bitmaps = new List<SkiaSharp.SKBitmap>(end - start);
            var indices = new List<int>(end - start);
            try
            {
                for (int i = start; i < end; i++)
                {
                    try
                    {
                        bitmaps.Add(Images.ImageLoader.LoadFile(files[i], extractor.LoadOptions));
                        indices.Add(i);
                    }
                    catch (Exception e) when (e is DriftException or IOException or UnauthorizedAccessException)
                    {
                        results[i] = new FileFeatures(files[i], null, e.Message);
                    }
                }
                var features = extractor.Extract(bitmaps);
                for (int k = 0; k < indices.Count; k++)
                {
                    results[indices[k]] = new FileFeatures(files[indices[k]], features[k], null);
                }
            }
            finally
            {
                foreach (var b in bitmaps) b.Dispose();
            }
            progress?.Report(Interlocked.Add(ref done, end - start));
        });
        return results;
    }
}
