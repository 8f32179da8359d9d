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
    /// <param name="reference">Reference images: also extract <see cref="ImageFeatures.ZoomedPatch"/>.</param>
    /// <param name="regionCell">Scoring against a model: its <see cref="Model.ReferenceModel.RegionCell"/>, for the region crop.</param>
    public static FileFeatures[] Extract(IReadOnlyList<string> files, FeatureExtractor extractor, int parallelism = 0,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default, bool reference = false,
        Func<ImageFeatures, int?>? regionCell = null)
    {
        var results = new FileFeatures[files.Count];
        int done = 0;
        var options = new ParallelOptions
        {
            MaxDegreeOfParallelism = parallelism > 0 ? parallelism : Environment.ProcessorCount,
            CancellationToken = cancellationToken,
        };
        Parallel.For(0, files.Count, options, i =>
        {
            try
            {
                results[i] = new FileFeatures(files[i], reference ? extractor.ExtractReferenceFile(files[i]) : extractor.ExtractFile(files[i], regionCell), null);
            }
            catch (Exception e) when (e is DriftException or IOException or UnauthorizedAccessException)
            {
                results[i] = new FileFeatures(files[i], null, e.Message);
            }
            progress?.Report(Interlocked.Increment(ref done));
        });
        return results;
    }
}
