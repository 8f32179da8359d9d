using System.Diagnostics;
using System.Globalization;
using Azure.Storage.Blobs;
using FunctionsDrift.Core;
using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Scoring;
using FunctionsDrift.LocalHost;
using FunctionsDrift.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsDrift.Cli.Commands;

/// <summary>
/// One run of <c>drift bench-host</c>: starts the local host on fresh containers, fits a first reference, then measures
/// upload-to-row latency (paced uploads), sustained throughput (a burst) and the in-process rate of the same images, and
/// prints them with the machine they ran on.
/// </summary>
/// <param name="connection">Storage connection string; the host's clients count their requests, the benchmark's own do not.</param>
/// <param name="paced">Images uploaded one at a time, <paramref name="interval"/> apart, for latency.</param>
/// <param name="burst">Images uploaded at once for throughput.</param>
internal sealed class HostBenchmark(CliContext ctx, string connection, int paced, TimeSpan interval, int burst)
{
    /// <summary>Uploads in flight while filling a container.</summary>
    private const int UploadParallelism = 8;

    /// <summary>Images timed per in-process rate measurement, so a long burst does not double the run.</summary>
    private const int MaxBaselineImages = 300;

    private readonly record struct BurstMeasure(double Seconds, double Sustained, Dictionary<string, long> Requests, string[] Stages,
        TimeSpan HostCpu, TimeSpan? AzuriteCpu);

    public async Task RunAsync(IReadOnlyList<string> referenceFiles, IReadOnlyList<string> files, CancellationToken token)
    {
        var id = DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture);
        var settings = new Dictionary<string, string?>
        {
            ["ImagesContainer"] = $"bench-img-{id}", ["ReferenceContainer"] = $"bench-ref-{id}", ["ModelsContainer"] = $"bench-mod-{id}",
            ["ResultsTable"] = $"benchres{id}", ["BlobCreatedQueue"] = $"bench-q-{id}", ["RefitSchedule"] = "0 0 3 1 1 *",
        };
        var clients = StorageOptions.Storage(() => StorageClients.FromConnectionString(connection));
        var refContainer = clients.Blobs.GetBlobContainerClient(settings["ReferenceContainer"]);
        await refContainer.CreateIfNotExistsAsync(cancellationToken: token);
        await Parallel.ForEachAsync(referenceFiles, new ParallelOptions { MaxDegreeOfParallelism = UploadParallelism, CancellationToken = token }, async (f, t) =>
            await refContainer.GetBlobClient(Path.GetFileName(f)).UploadAsync(f, overwrite: true, t));

        var counter = new RequestCounter();
        var hostClients = StorageOptions.Storage(() => RequestCounter.Clients(connection, counter));
        using var host = DriftLocalHost.Build(new LocalHostOptions { Connection = connection, Settings = settings, ConsoleLogLevel = null },
            configureServices: s => s.AddSingleton(hostClients));
        ctx.Error.WriteLine($"fitting a first reference from {referenceFiles.Count} images …");
        await host.StartAsync(token);
        // Baseline: what drift score does per image (extract, then score against the same reference), in-process on all
        // cores, measured before the paced phase and again after the host stops; the ratio uses the faster of the two,
        // so noise cannot flatter it.
        var extractor = host.Services.GetRequiredService<FeatureExtractor>();
        var model = await host.Services.GetRequiredService<ModelStore>().GetCurrentAsync(token)
            ?? throw new InvalidOperationException("the host published no reference model");
        var scorer = new DriftScorer(model);
        var bytes = files.Select(File.ReadAllBytes).ToArray();
        ctx.Error.WriteLine("in-process baseline …");
        InProcessRate(extractor, scorer, bytes, 20); // warm-up
        double baselineBefore = InProcessRate(extractor, scorer, bytes, Math.Min(burst, MaxBaselineImages));
        var driftSettings = host.Services.GetRequiredService<DriftSettings>();
        var results = new ResultsStore(clients.Tables.GetTableClient(driftSettings.ResultsTable), driftSettings);
        var images = clients.Blobs.GetBlobContainerClient(settings["ImagesContainer"]);

        var latencies = await MeasureLatencyAsync(images, results, files, bytes, token);
        var measure = await MeasureBurstAsync(images, results, counter, files, bytes, token);
        await host.StopAsync(CancellationToken.None);

        double baselineAfter = InProcessRate(extractor, scorer, bytes, Math.Min(burst, MaxBaselineImages));
        double baseline = Math.Max(baselineBefore, baselineAfter);

        double P(double q) => latencies.Length == 0 ? double.NaN : latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(q * latencies.Length) - 1)];
        ctx.Out.WriteLine($"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}; {DateTime.UtcNow:yyyy-MM-dd}");
        ctx.Out.WriteLine($"latency upload→row ({latencies.Length} paced images, {interval.TotalMilliseconds:0} ms apart): p50 {P(0.5):0} ms, p95 {P(0.95):0} ms, max {latencies.LastOrDefault():0} ms");
        ctx.Out.WriteLine($"in-process (extract + score, as drift score): {baseline:0.0} images/s (before {baselineBefore:0.0}, after {baselineAfter:0.0}; ratios below are to the faster)");
        ctx.Out.WriteLine($"throughput: sustained (first row → last row) {measure.Sustained:0.0} images/s ({measure.Sustained / baseline:P0}); end to end {burst} images in {measure.Seconds:0.0} s from the first upload = {burst / measure.Seconds:0.0} images/s ({burst / measure.Seconds / baseline:P0})");
        ctx.Out.WriteLine($"burst diagnostics: host storage requests per image {measure.Requests.Values.Sum() / (double)burst:0.00} ({string.Join(", ", measure.Requests.OrderBy(k => k.Key).Select(kv => $"{kv.Key} {kv.Value / (double)burst:0.00}"))}); " +
            $"stage ms per image: {string.Join(", ", measure.Stages)}; CPU during burst: host {measure.HostCpu.TotalSeconds:0.0} s, Azurite {(measure.AzuriteCpu is { } a ? $"{a.TotalSeconds:0.0} s" : "n/a")}, wall {measure.Seconds:0.0} s");
    }

    /// <summary>Paced uploads; latency = the row's ScoredAt − upload completed (same clock, same process), sorted.</summary>
    private async Task<double[]> MeasureLatencyAsync(BlobContainerClient images, ResultsStore results, IReadOnlyList<string> files, byte[][] bytes, CancellationToken token)
    {
        var uploaded = new Dictionary<string, DateTimeOffset>();
        for (int i = 0; i < paced; i++)
        {
            var name = $"paced/{i:00000}{Path.GetExtension(files[i % files.Count])}";
            await images.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(bytes[i % bytes.Length]), token);
            uploaded[name] = DateTimeOffset.UtcNow;
            await Task.Delay(interval, token);
        }
        var pacedRows = await WaitRows(results, "paced/", paced, token);
        return pacedRows.Select(r => (r.ScoredAt - uploaded[r.BlobName]).TotalMilliseconds).Order().ToArray();
    }

    /// <summary>Throughput: a burst, from the first upload to the last row, with the host's requests, stages and CPU meanwhile.</summary>
    private async Task<BurstMeasure> MeasureBurstAsync(BlobContainerClient images, ResultsStore results, RequestCounter counter,
        IReadOnlyList<string> files, byte[][] bytes, CancellationToken token)
    {
        using var stageTotals = new ScoringStageTotals();
        counter.Reset();
        var (msBefore, scoredBefore) = stageTotals.Snapshot();
        var cpuHost0 = Process.GetCurrentProcess().TotalProcessorTime;
        var cpuAzurite0 = ProcessCpu.OfCommandLinesContaining("azurite");
        var start = DateTimeOffset.UtcNow;
        await Parallel.ForEachAsync(Enumerable.Range(0, burst), new ParallelOptions { MaxDegreeOfParallelism = UploadParallelism, CancellationToken = token }, async (i, t) =>
            await images.GetBlobClient($"burst/{i:00000}{Path.GetExtension(files[i % files.Count])}").UploadAsync(BinaryData.FromBytes(bytes[i % bytes.Length]), t));
        var burstRows = await WaitRows(results, "burst/", burst, token);
        // End to end: first upload → last row (includes the idle scanner noticing the burst, up to MaxScanInterval).
        // Sustained: first row → last row, the steady rate comparable to the in-process baseline (which also leaves out
        // drift score's start-up).
        double seconds = (burstRows.Max(r => r.ScoredAt) - start).TotalSeconds;
        double sustained = (burstRows.Count - 1) / (burstRows.Max(r => r.ScoredAt) - burstRows.Min(r => r.ScoredAt)).TotalSeconds;
        var cpuHost = Process.GetCurrentProcess().TotalProcessorTime - cpuHost0;
        var cpuAzurite = ProcessCpu.OfCommandLinesContaining("azurite") - cpuAzurite0;
        var requests = counter.Snapshot();
        var (msAfter, scoredAfter) = stageTotals.Snapshot();
        long scoredBurst = Math.Max(1, scoredAfter - scoredBefore);
        var stages = ScoringMetrics.Stages.Select(stage => $"{stage} {(msAfter[stage] - msBefore[stage]) / scoredBurst:0.0}").ToArray();
        return new BurstMeasure(seconds, sustained, requests, stages, cpuHost, cpuAzurite);
    }

    private static double InProcessRate(FeatureExtractor extractor, DriftScorer scorer, byte[][] bytes, int n)
    {
        var sw = Stopwatch.StartNew();
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            try { scorer.Score(extractor.Extract(bytes[i % bytes.Length], scorer.Model.RegionCell)); } catch (DriftException) { }
        });
        return n / sw.Elapsed.TotalSeconds;
    }

    private static async Task<List<(string BlobName, DateTimeOffset ScoredAt)>> WaitRows(ResultsStore results, string prefix, int count, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddMinutes(10);
        var filter = results.BuildFilter(new ResultQuery { Prefix = prefix });
        while (true)
        {
            // Only the two columns the measures need: Azurite shares the cores, and serialising whole rows on every poll
            // would slow the host being measured.
            var rows = new List<(string, DateTimeOffset)>();
            await foreach (var r in results.Table.QueryAsync<Azure.Data.Tables.TableEntity>(filter, 1000, ["BlobName", "ScoredAt"], ct))
            {
                rows.Add((r.GetString("BlobName"), r.GetDateTimeOffset("ScoredAt") ?? DateTimeOffset.MinValue));
            }
            if (rows.Count >= count || DateTime.UtcNow > deadline) return rows;
            // The end time is the last row's ScoredAt, not this poll: poll rarely.
            await Task.Delay(1000, ct);
        }
    }
}
