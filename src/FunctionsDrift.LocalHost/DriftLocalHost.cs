using FunctionsDrift.Storage;
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Host;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FunctionsDrift.LocalHost;

/// <summary>Builds the local host: WebJobs SDK with a queue trigger (ScoreImage), a timer (RefitReference) and the blob scanner.</summary>
public static class DriftLocalHost
{
    /// <param name="configureServices">Runs before the defaults are added: services registered here win (for example a shared extractor).</param>
    public static IHost Build(LocalHostOptions options, Action<ILoggingBuilder>? logging = null, Action<IServiceCollection>? configureServices = null)
    {
        int parallel = options.EffectiveParallelism;
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = options.Connection,
            ["DriftStorage"] = options.Connection,
        };
        foreach (var (k, v) in options.Settings) settings[k] = v;
        // %BlobCreatedQueue% and %RefitSchedule% resolve from configuration: give them their defaults.
        var defaults = new DriftSettings();
        settings.TryAdd(nameof(DriftSettings.BlobCreatedQueue), defaults.BlobCreatedQueue);
        settings.TryAdd(nameof(DriftSettings.RefitSchedule), defaults.RefitSchedule);

        return new HostBuilder()
            .UseEnvironment("Production")
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(settings))
            .ConfigureLogging(b =>
            {
                b.ClearProviders();
                if (options.ConsoleLogLevel is { } level)
                {
                    b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
                    b.SetMinimumLevel(level);
                }
                b.AddFilter("Azure.Core", LogLevel.Error);
                b.AddFilter("Azure.Storage", LogLevel.Error);
                b.AddFilter("Host.Triggers.Timer", LogLevel.Warning);
                b.AddFilter("Host.Startup", LogLevel.Warning);
                b.AddFilter("Microsoft.Azure.WebJobs.Hosting", LogLevel.Warning);
                b.AddFilter("Host.Results", LogLevel.Warning);
                b.AddFilter("Function.ScoreImage", LogLevel.Warning);
                b.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
                logging?.Invoke(b);
            })
            // Services first: hosted services start in registration order, so the storage set-up and the first refit
            // run before the WebJobs host starts listening.
            .ConfigureServices(s =>
            {
                s.AddSingleton(options);
                configureServices?.Invoke(s);
                // The host's own clients without the SDK's per-request logging and tracing (CPU on the scoring cores).
                if (settings.GetValueOrDefault("DriftStorage") is { Length: > 0 } driftConnection)
                {
                    s.TryAddSingleton(_ => StorageClients.FromConnectionString(driftConnection, diagnostics: false));
                }
                s.AddDrift(imagesAtOnce: parallel);
                s.AddSingleton<ITypeLocator>(new FixedTypeLocator(typeof(HostFunctions)));
                s.AddSingleton<BlobScanner>();
                s.AddHostedService<StartupTasks>();
                s.AddHostedService(sp => sp.GetRequiredService<BlobScanner>());
            })
            .ConfigureWebJobs(b =>
            {
                b.AddAzureStorageCoreServices();
                b.AddAzureStorageQueues(q =>
                {
                    q.BatchSize = parallel;
                    q.NewBatchThreshold = Math.Max(0, parallel / 2);
                    q.MaxPollingInterval = TimeSpan.FromMilliseconds(200);
                    q.MaxDequeueCount = 5;
                    q.VisibilityTimeout = TimeSpan.FromSeconds(2);
                });
                b.AddTimers();
            })
            .Build();
    }

    private sealed class FixedTypeLocator(params Type[] types) : ITypeLocator
    {
        public IReadOnlyList<Type> GetTypes() => types;
    }

    /// <summary>Creates storage resources and fits a first reference when none exists.</summary>
    private sealed class StartupTasks(StorageInitializer init, ModelStore models, RefitService refit, ReconcileService reconcile, LocalHostOptions options,
        ILogger<StartupTasks> log) : IHostedService
    {
        public async Task StartAsync(CancellationToken ct)
        {
            await init.EnsureAsync(ct);
            if (!options.RefitIfMissing)
            {
                return;
            }
            string? why;
            try
            {
                why = await models.GetCurrentAsync(ct) is null ? "No reference model yet" : null;
            }
            catch (ModelUnavailableException e)
            {
                why = $"The current reference model cannot be used ({e.Message})";
            }
            if (why is not null)
            {
                log.LogInformation("{Why}: fitting one from the reference container", why);
                var outcome = await refit.RefitAsync(ct);
                log.LogInformation("{Message}", outcome.Message);
                if (outcome.Published)
                {
                    // Rows written while there was no usable model get their verdict now, not at the next timer.
                    await reconcile.ReconcileAsync(ct);
                }
            }
        }

        public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    }
}
