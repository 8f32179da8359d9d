using FunctionsDrift.Core.Embedding;
using FunctionsDrift.Core.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace FunctionsDrift.Storage;

/// <summary>Registers settings, clients, the engine and the services; shared by the Functions app and the local host.</summary>
public static class DriftServices
{
    /// <param name="imagesAtOnce">Images the host scores concurrently: ONNX threads per inference follow <see cref="InferenceThreads.PerImage"/>.</param>
    public static IServiceCollection AddDrift(this IServiceCollection services, int imagesAtOnce)
    {
        services.TryAddSingleton(sp => DriftSettings.FromConfiguration(sp.GetRequiredService<IConfiguration>()));
        services.TryAddSingleton(sp => StorageClients.FromConfiguration(sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<DriftSettings>().ConnectionName));
        // EmbedderPrecision (fp32 | int8) picks the bundled ResNet18; a reference fitted with the other one is refused until a refit.
        services.TryAddSingleton(sp => new FeatureExtractor(OnnxEmbedder.CreateDefault(new EmbedderOptions { IntraOpThreads = InferenceThreads.PerImage(imagesAtOnce) },
            sp.GetRequiredService<IConfiguration>()["EmbedderPrecision"] is { Length: > 0 } p ? EmbedderPrecisions.Parse(p) : EmbedderPrecisions.Default)));
        services.TryAddSingleton(sp => new ModelStore(
            sp.GetRequiredService<StorageClients>().Blobs.GetBlobContainerClient(sp.GetRequiredService<DriftSettings>().ModelsContainer),
            sp.GetService<ILogger<ModelStore>>()));
        services.TryAddSingleton(sp => new ResultsStore(
            sp.GetRequiredService<StorageClients>().Tables.GetTableClient(sp.GetRequiredService<DriftSettings>().ResultsTable),
            sp.GetRequiredService<DriftSettings>()));
        services.TryAddSingleton<IVerdictMetric, MeterVerdictMetric>();
        services.TryAddSingleton<ScoringService>();
        services.TryAddSingleton<IBlobScorer>(sp => sp.GetRequiredService<ScoringService>());
        services.TryAddSingleton<RefitService>();
        services.TryAddSingleton<ReconcileService>();
        services.TryAddSingleton<StorageInitializer>();
        // The extractor is only needed when a version has no saved reference features: resolved lazily.
        services.TryAddSingleton(sp => new WindowSummaryService(sp.GetRequiredService<StorageClients>(), sp.GetRequiredService<DriftSettings>(),
            sp.GetRequiredService<ModelStore>(), sp.GetRequiredService<ResultsStore>(), () => sp.GetRequiredService<FeatureExtractor>(),
            sp.GetService<ILogger<WindowSummaryService>>()));
        return services;
    }
}

/// <summary>Creates the containers, table and queue the app uses (idempotent).</summary>
public sealed class StorageInitializer(StorageClients clients, DriftSettings settings)
{
    public async Task EnsureAsync(CancellationToken ct)
    {
        foreach (var name in new[] { settings.ImagesContainer, settings.ReferenceContainer, settings.ModelsContainer })
        {
            await clients.Blobs.GetBlobContainerClient(name).CreateIfNotExistsAsync(cancellationToken: ct);
        }
        await clients.Tables.GetTableClient(settings.ResultsTable).CreateIfNotExistsAsync(ct);
        await clients.Queues.GetQueueClient(settings.BlobCreatedQueue).CreateIfNotExistsAsync(cancellationToken: ct);
    }
}
