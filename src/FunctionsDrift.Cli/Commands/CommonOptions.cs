using System.CommandLine;
using FunctionsDrift.Core;
using FunctionsDrift.Core.Detectors;
using FunctionsDrift.Core.Embedding;
using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Model;
using FunctionsDrift.Core.Pipeline;

namespace FunctionsDrift.Cli.Commands;

/// <summary>Options shared by several verbs, and the engine set-up they imply.</summary>
internal static class CommonOptions
{
    public static Option<string?> Manifest() => new("--manifest")
    {
        Description = "ONNX model manifest (JSON). Default: the bundled ResNet18 manifest.",
    };

    public static Option<string> Precision()
    {
        var option = new Option<string>("--precision")
        {
            Description = "ResNet18 precision: int8 (about twice the images per core) or fp32 (ML.NET's own model). Scoring against a reference model uses the precision it was fitted with unless this is given.",
            DefaultValueFactory = _ => EmbedderPrecisions.Default.Name(),
        };
        option.AcceptOnlyFromAmong("int8", "fp32");
        return option;
    }

    /// <summary>The option's value when the user gave it, or null when only its default applies.</summary>
    public static string? GivenValue(ParseResult pr, Option<string> option) =>
        pr.GetResult(option) is { Implicit: false } ? pr.GetValue(option) : null;

    public static Option<bool> NoEmbedding() => new("--no-embedding")
    {
        Description = "Colour and quality detectors only: skip the CNN (much faster, misses shape and object drift).",
    };

    public static Option<int> Parallelism() => new("--parallel")
    {
        Description = "Images processed at once (0 = one per core).",
        DefaultValueFactory = _ => 0,
    };

    public static FeatureExtractor CreateExtractor(bool noEmbedding, string? manifestPath, int parallelism, string? precision = null)
    {
        if (noEmbedding)
        {
            return new FeatureExtractor(null);
        }
        var manifest = ModelManifest.Load(manifestPath ?? ModelManifest.PathFor(precision is null ? EmbedderPrecisions.Default : EmbedderPrecisions.Parse(precision)));
        int workers = parallelism > 0 ? parallelism : Environment.ProcessorCount;
        var embedder = new OnnxEmbedder(manifest, new EmbedderOptions { IntraOpThreads = InferenceThreads.PerImage(workers) });
        return new FeatureExtractor(embedder);
    }

    /// <summary>"int8 ResNet18 (identity)" for a bundled model, the identity alone for another.</summary>
    public static string DescribeIdentity(string identity) =>
        ModelManifest.PrecisionOfIdentity(identity) is { } p ? $"{p.Name()} ResNet18 ({identity})" : identity;

    /// <param name="model">The model the features will be scored against (for its region crop); null for model-free features.</param>
    public static FileFeatures[] ExtractFolder(CliContext ctx, string description, IReadOnlyList<string> files, FeatureExtractor extractor, int parallelism,
        CancellationToken ct, ReferenceModel? model = null) =>
        CliProgress.Run(ctx, description, files.Count, p => FeatureBatch.Extract(files, extractor, parallelism, p, ct, regionCell: model is null ? null : model.RegionCell));

    /// <summary>
    /// Fits a model on a reference folder: its features (with the zoomed patches of patch's second bank), then the region
    /// detector's crops, then the fit. Unreadable images are skipped with a warning.
    /// </summary>
    public static ReferenceModel FitReferenceFolder(CliContext ctx, IReadOnlyList<string> files, FeatureExtractor extractor, FitOptions options,
        int parallelism, CancellationToken ct, IProgress<string>? steps = null)
    {
        var features = CliProgress.Run(ctx, "reading reference", files.Count, p => FeatureBatch.Extract(files, extractor, parallelism, p, ct, reference: true));
        foreach (var bad in features.Where(f => f.Error is not null))
        {
            ctx.Error.WriteLine($"warning: skipped {bad.Name}: {bad.Error}");
        }
        var good = features.Where(f => f.Features is not null).ToList();
        var fit = good.Select(f => f.Features!).ToList();
        var uncropped = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var withCrops = fit.Count < options.MinImages ? fit
            : CliProgress.Run(ctx, "cropping reference", good.Count, p => RegionPlan.WithCropsAsync(fit, options,
                (i, grid, cells, _) => ValueTask.FromResult<float[]?>(EmbedRegionsFile(extractor, good[i].Path, grid, cells)), parallelism, p, steps,
                (i, e) => uncropped.Enqueue($"{good[i].Name}: {e.Message}"), ct).GetAwaiter().GetResult());
        // One line, not one per image: a model whose graph cannot be cropped fails every image for the same reason.
        if (!uncropped.IsEmpty)
        {
            var first = uncropped.Order(StringComparer.Ordinal).First();
            ctx.Error.WriteLine($"warning: no region crops for {uncropped.Count} of {good.Count} images (first: {first}); region is fitted on the others, or left out");
        }
        return ReferenceFitter.Fit(withCrops, extractor.ModelIdentity, options, steps);
    }

    /// <summary>A reference file's region crops; a file that can no longer be read is a <see cref="DriftException"/>, so the fit goes on without its crops.</summary>
    private static float[] EmbedRegionsFile(FeatureExtractor extractor, string path, int grid, IReadOnlyList<int> cells)
    {
        try
        {
            return extractor.EmbedRegionsFile(path, grid, cells);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DriftException($"cannot read it again: {e.Message}", e);
        }
    }

    /// <summary>
    /// The folder's images in name order; warns about images of a format it cannot read, which it leaves out. A missing
    /// folder or one without images is a usage error.
    /// </summary>
    public static IReadOnlyList<string> ListImages(CliContext ctx, string dir)
    {
        if (!Directory.Exists(dir))
        {
            throw new CliException($"folder not found: {dir}", ExitCode.Usage);
        }
        var (files, unreadable) = ImageFolder.Scan(dir);
        if (unreadable.Count > 0)
        {
            var names = string.Join(", ", unreadable.Take(3).Select(Path.GetFileName)) + (unreadable.Count > 3 ? ", …" : "");
            ctx.Error.WriteLine($"warning: left out {unreadable.Count} image(s) of a format this tool cannot read ({names}); convert them to PNG or JPEG (read: {string.Join(", ", ImageFolder.Extensions)})");
        }
        if (files.Count == 0)
        {
            throw new CliException($"no images in {dir} (looked for {string.Join(", ", ImageFolder.Extensions)})", ExitCode.Usage);
        }
        return files;
    }
}
