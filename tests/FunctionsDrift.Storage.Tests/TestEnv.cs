using System.Collections.Concurrent;
using Azure.Storage.Blobs;
using FunctionsDrift.Core.Embedding;
using FunctionsDrift.Core.Features;
using FunctionsDrift.LocalHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FunctionsDrift.Storage.Tests;

/// <summary>One feature extractor (ResNet18) for the whole test run.</summary>
public sealed class EngineFixture : IDisposable
{
    public FeatureExtractor Extractor { get; } = new(OnnxEmbedder.CreateDefault(new EmbedderOptions { IntraOpThreads = 1 }));

    public void Dispose() => Extractor.Embedder?.Dispose();
}

/// <summary>Counts verdicts (to prove nothing is scored twice).</summary>
public sealed class CountingMetric : IVerdictMetric
{
    public ConcurrentDictionary<string, int> ByVersion { get; } = new();
    public int Total => ByVersion.Values.Sum();

    public void Record(bool drift, string referenceVersion) => ByVersion.AddOrUpdate(referenceVersion, 1, (_, n) => n + 1);
}

/// <summary>Isolated names (containers, table, queue) on the shared Azurite, and helpers.</summary>
public sealed class TestEnv
{
    public TestEnv(AzuriteFixture azurite, EngineFixture engine, string name)
    {
        Connection = azurite.Connection;
        Engine = engine;
        var id = $"{name}{Guid.NewGuid():N}"[..Math.Min(name.Length + 8, 30)].ToLowerInvariant();
        Settings = new DriftSettings
        {
            ImagesContainer = $"img-{id}",
            ReferenceContainer = $"ref-{id}",
            ModelsContainer = $"mod-{id}",
            ResultsTable = $"res{id.Replace("-", "")}",
            BlobCreatedQueue = $"q-{id}",
            RefitSchedule = "0 0 3 1 1 *",
        };
        Clients = StorageClients.FromConnectionString(Connection);
        Models = new ModelStore(Clients.Blobs.GetBlobContainerClient(Settings.ModelsContainer));
        Results = new ResultsStore(Clients.Tables.GetTableClient(Settings.ResultsTable), Settings);
    }

    public string Connection { get; }
    public EngineFixture Engine { get; }
    public DriftSettings Settings { get; }
    public StorageClients Clients { get; }
    public ModelStore Models { get; }
    public ResultsStore Results { get; }
    public CountingMetric Metric { get; } = new();

    public BlobContainerClient Images => Clients.Blobs.GetBlobContainerClient(Settings.ImagesContainer);
    public BlobContainerClient Reference => Clients.Blobs.GetBlobContainerClient(Settings.ReferenceContainer);

    public Dictionary<string, string?> SettingsDictionary() => new()
    {
        [nameof(DriftSettings.ImagesContainer)] = Settings.ImagesContainer,
        [nameof(DriftSettings.ReferenceContainer)] = Settings.ReferenceContainer,
        [nameof(DriftSettings.ModelsContainer)] = Settings.ModelsContainer,
        [nameof(DriftSettings.ResultsTable)] = Settings.ResultsTable,
        [nameof(DriftSettings.BlobCreatedQueue)] = Settings.BlobCreatedQueue,
        [nameof(DriftSettings.RefitSchedule)] = Settings.RefitSchedule,
    };

    public async Task InitAsync()
    {
        await new StorageInitializer(Clients, Settings).EnsureAsync(default);
    }

    public async Task UploadReferenceAsync(int count = 40)
    {
        await Reference.CreateIfNotExistsAsync();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), async (i, ct) =>
            await Reference.GetBlobClient($"frame-{i:0000}.jpg").UploadAsync(BinaryData.FromBytes(TestImages.Scene(1000 + i)), overwrite: true, ct));
    }

    public ScoringService Scoring(ILoggerFactory? logs = null) => new(Clients, Settings, Engine.Extractor, Models, Results, Metric,
        (logs ?? NullLoggerFactory.Instance).CreateLogger<ScoringService>());

    public ReconcileService Reconcile(ScoringService scoring) => new(Results, scoring, Models, Engine.Extractor, Settings, NullLogger<ReconcileService>.Instance);

    public RefitService Refit() => new(Clients, Settings, Engine.Extractor, Models, Results, NullLogger<RefitService>.Instance);

    /// <summary>
    /// A scanner outside any host, for tests that drive <see cref="BlobScanner.ScanOnceAsync"/> and the sweep themselves; its
    /// receipts table and the images container are created.
    /// </summary>
    public async Task<BlobScanner> ScannerAsync(LocalHostOptions options)
    {
        await Clients.Tables.GetTableClient(Settings.ResultsTable + "scan").CreateIfNotExistsAsync();
        await Images.CreateIfNotExistsAsync();
        return new BlobScanner(Clients, Settings, options with { Connection = Connection }, Results, NullLogger<BlobScanner>.Instance);
    }

    /// <param name="options">Changes to the host's options (for example a short grace period).</param>
    /// <param name="services">Extra services, registered before the defaults (they win).</param>
    public IHost BuildHost(int parallelism = 2, Func<LocalHostOptions, LocalHostOptions>? options = null, Action<IServiceCollection>? services = null) => DriftLocalHost.Build(
        (options ?? (o => o))(new LocalHostOptions { Connection = Connection, Settings = SettingsDictionary(), Parallelism = parallelism, ConsoleLogLevel = Environment.GetEnvironmentVariable("DRIFT_TEST_LOGS") is null ? null : Microsoft.Extensions.Logging.LogLevel.Information, ScanInterval = TimeSpan.FromMilliseconds(200) }),
        configureServices: s =>
        {
            services?.Invoke(s);
            s.AddSingleton(Settings);
            s.AddSingleton(Clients);
            s.AddSingleton(Engine.Extractor);
            s.AddSingleton<IVerdictMetric>(Metric);
        });

    public async Task<List<ResultEntity>> AllRowsAsync()
    {
        var rows = new List<ResultEntity>();
        await foreach (var r in Results.QueryAllAsync(new ResultQuery(), default)) rows.Add(r);
        return rows;
    }

    /// <summary>Waits until the table holds at least <paramref name="count"/> rows (or the timeout passes).</summary>
    public async Task<List<ResultEntity>> WaitForRowsAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var rows = await AllRowsAsync();
            if (rows.Count >= count || DateTime.UtcNow > deadline) return rows;
            await Task.Delay(250);
        }
    }
}
