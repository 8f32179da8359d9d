using System.CommandLine;
using System.Diagnostics;
using FunctionsDrift.LocalHost;
using FunctionsDrift.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsDrift.Cli.Commands;

/// <summary>
/// <c>drift bench-host</c>: upload-to-row latency (paced uploads) and sustained images/s (a burst) through the local host,
/// against the in-process scoring rate of the same images. A benchmark, not a test: uses fresh containers on the given storage.
/// </summary>
internal static class BenchHostCommand
{
    public static Command Create(CliContext ctx)
    {
        var reference = new Option<string>("--reference") { Description = "Folder of reference images.", Required = true };
        var images = new Option<string>("--images") { Description = "Folder of images to push through the host.", Required = true };
        var paced = new Option<int>("--paced") { Description = "Images uploaded one at a time for latency.", DefaultValueFactory = _ => 40 };
        var interval = new Option<int>("--interval-ms") { Description = "Gap between paced uploads.", DefaultValueFactory = _ => 500 };
        var burst = new Option<int>("--burst") { Description = "Images uploaded at once for throughput (the test images repeat under new names; long enough that start-up and tail do not dominate).", DefaultValueFactory = _ => 1000 };
        var connection = StorageOptions.Connection();
        var cmd = new Command("bench-host", "Measure upload-to-row latency and throughput through the local host.") { reference, images, paced, interval, burst, connection };
        cmd.SetAction((pr, ct) => ctx.Guard(async token =>
        {
            var refFiles = CommonOptions.ListImages(pr.GetValue(reference)!);
            var files = CommonOptions.ListImages(pr.GetValue(images)!);
            var id = DateTime.UtcNow.ToString("HHmmss", System.Globalization.CultureInfo.InvariantCulture);
            var settings = new Dictionary<string, string?>
            {
                ["ImagesContainer"] = $"bench-img-{id}", ["ReferenceContainer"] = $"bench-ref-{id}", ["ModelsContainer"] = $"bench-mod-{id}",
                ["ResultsTable"] = $"benchres{id}", ["BlobCreatedQueue"] = $"bench-q-{id}", ["RefitSchedule"] = "0 0 3 1 1 *",
            };
            var clients = StorageOptions.Storage(() => StorageClients.FromConnectionString(pr.GetValue(connection)!));
            var refContainer = clients.Blobs.GetBlobContainerClient(settings["ReferenceContainer"]);
            await refContainer.CreateIfNotExistsAsync(cancellationToken: token);
            await Parallel.ForEachAsync(refFiles, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = token }, async (f, t) =>
                await refContainer.GetBlobClient(Path.GetFileName(f)).UploadAsync(f, overwrite: true, t));

            // The host's storage clients count their requests (the benchmark's own polling uses other clients).
            var counter = new RequestCounter();
            var hostClients = StorageOptions.Storage(() => RequestCounter.Clients(pr.GetValue(connection)!, counter));
            using var host = DriftLocalHost.Build(new LocalHostOptions { Connection = pr.GetValue(connection)!, Settings = settings, ConsoleLogLevel = null },
                configureServices: s => s.AddSingleton(hostClients));
            ctx.Error.WriteLine($"fitting a first reference from {refFiles.Count} images …");
            await host.StartAsync(token);
            // Baseline: what drift score does per image (extract, then score against the same reference), in-process on all
            // cores, measured before the paced phase and again after the host stops; the ratio uses the faster of the two,
            // so noise cannot flatter it.
            var extractor = host.Services.GetRequiredService<FunctionsDrift.Core.Features.FeatureExtractor>();
            var model = await host.Services.GetRequiredService<ModelStore>().GetCurrentAsync(token)
                ?? throw new InvalidOperationException("the host published no reference model");
            var scorer = new FunctionsDrift.Core.Scoring.DriftScorer(model);
            var bytes = files.Select(File.ReadAllBytes).ToArray();
            ctx.Error.WriteLine("in-process baseline …");
            InProcessRate(extractor, scorer, bytes, 20); // warm-up
            double baselineBefore = InProcessRate(extractor, scorer, bytes, Math.Min(pr.GetValue(burst), 300));
            var driftSettings = host.Services.GetRequiredService<DriftSettings>();
            var results = new ResultsStore(clients.Tables.GetTableClient(driftSettings.ResultsTable), driftSettings);
            using var stageTotals = new ScoringStageTotals();
            var imgContainer = clients.Blobs.GetBlobContainerClient(settings["ImagesContainer"]);

            // Latency: paced uploads; latency = row's ScoredAt − upload completed (same clock, same process).
            int nPaced = pr.GetValue(paced);
            var uploaded = new Dictionary<string, DateTimeOffset>();
            for (int i = 0; i < nPaced; i++)
            {
                var name = $"paced/{i:00000}{Path.GetExtension(files[i % files.Count])}";
                await imgContainer.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(bytes[i % bytes.Length]), token);
                uploaded[name] = DateTimeOffset.UtcNow;
                await Task.Delay(pr.GetValue(interval), token);
            }
            var pacedRows = await WaitRows(results, "paced/", nPaced, token);
            var latencies = pacedRows.Select(r => (r.ScoredAt - uploaded[r.BlobName]).TotalMilliseconds).Order().ToArray();

            // Throughput: a burst, from the first upload to the last row.
            int nBurst = pr.GetValue(burst);
            counter.Reset();
            var (msBefore, scoredBefore) = stageTotals.Snapshot();
            var cpuHost0 = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
            var cpuAzurite0 = RequestCounter.AzuriteCpu();
            var start = DateTimeOffset.UtcNow;
            await Parallel.ForEachAsync(Enumerable.Range(0, nBurst), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = token }, async (i, t) =>
                await imgContainer.GetBlobClient($"burst/{i:00000}{Path.GetExtension(files[i % files.Count])}").UploadAsync(BinaryData.FromBytes(bytes[i % bytes.Length]), t));
            var burstRows = await WaitRows(results, "burst/", nBurst, token);
            // End to end: first upload → last row (includes the idle scanner noticing the burst, up to MaxScanInterval).
            // Sustained: first row → last row, the steady rate comparable to the in-process baseline (which also leaves out
            // drift score's start-up).
            double seconds = (burstRows.Max(r => r.ScoredAt) - start).TotalSeconds;
            double sustained = (burstRows.Count - 1) / (burstRows.Max(r => r.ScoredAt) - burstRows.Min(r => r.ScoredAt)).TotalSeconds;
            var cpuHost = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpuHost0;
            var cpuAzurite = RequestCounter.AzuriteCpu() - cpuAzurite0;
            var requests = counter.Snapshot();
            var (msAfter, scoredAfter) = stageTotals.Snapshot();
            long scoredBurst = Math.Max(1, scoredAfter - scoredBefore);
            var stages = ScoringMetrics.Stages.Select(stage => $"{stage} {(msAfter[stage] - msBefore[stage]) / scoredBurst:0.0}").ToArray();
            await host.StopAsync(CancellationToken.None);

            double baselineAfter = InProcessRate(extractor, scorer, bytes, Math.Min(nBurst, 300));
            double baseline = Math.Max(baselineBefore, baselineAfter);

            double P(double q) => latencies.Length == 0 ? double.NaN : latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(q * latencies.Length) - 1)];
            ctx.Out.WriteLine($"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}; {DateTime.UtcNow:yyyy-MM-dd}");
            ctx.Out.WriteLine($"latency upload→row ({latencies.Length} paced images, {pr.GetValue(interval)} ms apart): p50 {P(0.5):0} ms, p95 {P(0.95):0} ms, max {latencies.LastOrDefault():0} ms");
            ctx.Out.WriteLine($"in-process (extract + score, as drift score): {baseline:0.0} images/s (before {baselineBefore:0.0}, after {baselineAfter:0.0}; ratios below are to the faster)");
            ctx.Out.WriteLine($"throughput: sustained (first row → last row) {sustained:0.0} images/s ({sustained / baseline:P0}); end to end {nBurst} images in {seconds:0.0} s from the first upload = {nBurst / seconds:0.0} images/s ({nBurst / seconds / baseline:P0})");
            ctx.Out.WriteLine($"burst diagnostics: host storage requests per image {requests.Values.Sum() / (double)nBurst:0.00} ({string.Join(", ", requests.OrderBy(k => k.Key).Select(kv => $"{kv.Key} {kv.Value / (double)nBurst:0.00}"))}); " +
                $"stage ms per image: {string.Join(", ", stages)}; CPU during burst: host {cpuHost.TotalSeconds:0.0} s, Azurite {(cpuAzurite is { } a ? $"{a.TotalSeconds:0.0} s" : "n/a")}, wall {seconds:0.0} s");
            return (int)ExitCode.Ok;
        }, ct));
        return cmd;
    }

    private static double InProcessRate(FunctionsDrift.Core.Features.FeatureExtractor extractor, FunctionsDrift.Core.Scoring.DriftScorer scorer, byte[][] bytes, int n)
    {
        var sw = Stopwatch.StartNew();
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            try { scorer.Score(extractor.Extract(bytes[i % bytes.Length])); } catch (FunctionsDrift.Core.DriftException) { }
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

/// <summary>Counts storage requests by service and method (a pipeline policy on the host's clients), and reads Azurite's CPU time.</summary>
internal sealed class RequestCounter : Azure.Core.Pipeline.HttpPipelineSynchronousPolicy
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _counts = new();

    public override void OnSendingRequest(Azure.Core.HttpMessage message)
    {
        var uri = message.Request.Uri.ToUri();
        string service = uri.Port switch { 10000 => "blob", 10001 => "queue", 10002 => "table", _ => uri.Host.Split('.').ElementAtOrDefault(1) ?? uri.Host };
        string op = uri.Query.Contains("comp=list", StringComparison.Ordinal) ? "list" : message.Request.Method.ToString();
        _counts.AddOrUpdate($"{service} {op}", 1, (_, n) => n + 1);
    }

    public void Reset() => _counts.Clear();

    public Dictionary<string, long> Snapshot() => new(_counts);

    public static StorageClients Clients(string connection, RequestCounter counter)
    {
        var blob = StorageClients.Diagnostics(new Azure.Storage.Blobs.BlobClientOptions(), enabled: false);
        blob.AddPolicy(counter, Azure.Core.HttpPipelinePosition.PerCall);
        var queue = StorageClients.Diagnostics(new Azure.Storage.Queues.QueueClientOptions { MessageEncoding = Azure.Storage.Queues.QueueMessageEncoding.Base64 }, enabled: false);
        queue.AddPolicy(counter, Azure.Core.HttpPipelinePosition.PerCall);
        var table = StorageClients.Diagnostics(new Azure.Data.Tables.TableClientOptions(), enabled: false);
        table.AddPolicy(counter, Azure.Core.HttpPipelinePosition.PerCall);
        return new StorageClients(new Azure.Storage.Blobs.BlobServiceClient(connection, blob),
            new Azure.Storage.Queues.QueueServiceClient(connection, queue), new Azure.Data.Tables.TableServiceClient(connection, table));
    }

    /// <summary>User+system CPU of local processes whose command line mentions azurite (Linux /proc), or null.</summary>
    public static TimeSpan? AzuriteCpu()
    {
        try
        {
            long ticks = 0;
            bool any = false;
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
                try
                {
                    if (!File.ReadAllText(Path.Combine(dir, "cmdline")).Contains("azurite", StringComparison.Ordinal)) continue;
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    ticks += long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
                    any = true;
                }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
            return any ? TimeSpan.FromSeconds(ticks / 100.0) : null;
        }
        catch (IOException) { return null; }
    }
}
