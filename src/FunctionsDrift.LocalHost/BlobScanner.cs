using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using FunctionsDrift.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FunctionsDrift.LocalHost;

/// <summary>Options of the local host.</summary>
public sealed record LocalHostOptions
{
    /// <summary>Storage connection string (Azurite: <c>UseDevelopmentStorage=true</c>).</summary>
    public string Connection { get; init; } = "UseDevelopmentStorage=true";
    /// <summary>How often the scanner lists the images container.</summary>
    public TimeSpan ScanInterval { get; init; } = TimeSpan.FromMilliseconds(250);
    /// <summary>
    /// Longest gap between listings: after a second of listings that find nothing new, each empty listing doubles the gap
    /// (from <see cref="ScanInterval"/> up to this); one that finds new blobs resets it, so an idle or draining container is listed less often.
    /// </summary>
    public TimeSpan MaxScanInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Messages scored at once (0 = two per core).</summary>
    public int Parallelism { get; init; }
    /// <summary>
    /// An announced blob still without a row for its ETag after this long is announced again (see <see cref="PendingVerdicts"/>).
    /// </summary>
    public TimeSpan VerdictGrace { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Receipts younger than this are re-checked at start-up: their messages may have been stranded by the previous host.</summary>
    public TimeSpan PendingLookback { get; init; } = TimeSpan.FromHours(1);
    /// <summary>Run a refit at start-up when no reference model is published yet.</summary>
    public bool RefitIfMissing { get; init; } = true;
    /// <summary>Extra configuration (settings such as ImagesContainer, RefitSchedule).</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();
    /// <summary>Minimum log level of the console logger (null = no console logging).</summary>
    public LogLevel? ConsoleLogLevel { get; init; } = LogLevel.Information;
}

/// <summary>
/// Azurite has no Event Grid, and the polling blob trigger misses blobs there (azure-sdk-for-net#62763). This scanner lists the
/// images container every <see cref="LocalHostOptions.ScanInterval"/>, and for each blob whose name and ETag it has not announced
/// yet puts an Event-Grid-shaped BlobCreated message on the <c>blob-created</c> queue, then records a receipt (table
/// <c>{ResultsTable}scan</c>, one entity per blob). Order — enqueue, then receipt — means a crash between the two repeats an
/// announcement (harmless: scoring is idempotent per blob and ETag) but never loses one. Receipts are loaded at start-up, so a
/// restart announces exactly the blobs that arrived while the host was down.
/// </summary>
public sealed class BlobScanner(StorageClients clients, DriftSettings settings, LocalHostOptions options, ResultsStore results, ILogger<BlobScanner> log) : BackgroundService
{
    private readonly ConcurrentDictionary<string, string> _announced = new(StringComparer.Ordinal);
    private readonly PendingVerdicts _pending = new(results, log);
    private DateTimeOffset _lastSweep = DateTimeOffset.UtcNow;

    /// <summary>Announcements not yet confirmed by a row (for tests).</summary>
    public PendingVerdicts Pending => _pending;
    private TableClient Receipts => clients.Tables.GetTableClient(settings.ResultsTable + "scan");

    /// <summary>Blobs announced since start (for tests and the benchmark).</summary>
    public long Announced;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Receipts.CreateIfNotExistsAsync(stoppingToken);
        var container = clients.Blobs.GetBlobContainerClient(settings.ImagesContainer);
        var recent = DateTimeOffset.UtcNow - options.PendingLookback;
        await foreach (var r in Receipts.QueryAsync<TableEntity>(select: ["BlobName", "BlobETag", "AnnouncedAt"], cancellationToken: stoppingToken))
        {
            string name = r.GetString("BlobName"), etag = r.GetString("BlobETag");
            _announced[name] = etag;
            if (r.GetDateTimeOffset("AnnouncedAt") is { } at && at >= recent)
            {
                // The previous host may have stopped holding this blob's message: confirm its row in the sweep.
                // Length unknown here: long.MaxValue sends the scorer down its careful path (properties and row lookup first).
                var evt = BlobCreatedEvent.Create(clients.Blobs.AccountName, settings.ImagesContainer, name, etag, long.MaxValue, container.GetBlobClient(name).Uri);
                _pending.Add(name, etag, null, evt.ToJson(), at);
            }
        }
        log.LogInformation("Scanner: {Count} blobs already announced; watching container {Container} every {Interval}–{MaxInterval} ms",
            _announced.Count, settings.ImagesContainer, options.ScanInterval.TotalMilliseconds, options.MaxScanInterval.TotalMilliseconds);
        var interval = options.ScanInterval;
        int empty = 0;
        var maxInterval = options.MaxScanInterval > options.ScanInterval ? options.MaxScanInterval : options.ScanInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Adaptive: list fast while blobs arrive (and for a second after), then back off (doubling, up to
                // MaxScanInterval) while nothing new shows up. Every listing is still a full one, so no blob is ever missed;
                // only how soon it is seen after a quiet spell changes.
                empty = await ScanOnceAsync(stoppingToken) > 0 ? 0 : empty + 1;
                if (DateTimeOffset.UtcNow - _lastSweep >= TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(1).Ticks, options.VerdictGrace.Ticks / 4)))
                {
                    _lastSweep = DateTimeOffset.UtcNow;
                    await SweepAsync(stoppingToken);
                }
                interval = empty * options.ScanInterval < TimeSpan.FromSeconds(1)
                    ? options.ScanInterval
                    : TimeSpan.FromTicks(Math.Min(maxInterval.Ticks, interval.Ticks * 2));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (RequestFailedException e)
            {
                log.LogWarning("Scanner: storage error {Status} {Code}; retrying", e.Status, e.ErrorCode);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // For example Azurite answering 500 with no body when a blob name holds an XML-invalid control character.
                log.LogError(e, "Scanner: listing failed; retrying");
            }
            try
            {
                await Task.Delay(interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Re-announces announced blobs that still have no verdict after <see cref="LocalHostOptions.VerdictGrace"/>.</summary>
    public Task<int> SweepAsync(CancellationToken ct) =>
        _pending.SweepAsync(clients.Blobs.GetBlobContainerClient(settings.ImagesContainer), clients.Queues.GetQueueClient(settings.BlobCreatedQueue),
            options.VerdictGrace, maxChecks: 500, ct);

    public async Task<int> ScanOnceAsync(CancellationToken ct)
    {
        var container = clients.Blobs.GetBlobContainerClient(settings.ImagesContainer);
        var queue = clients.Queues.GetQueueClient(settings.BlobCreatedQueue);
        int count = 0;
        await foreach (var page in container.GetBlobsAsync(new GetBlobsOptions(), ct).AsPages())
        {
            var fresh = new List<(string Name, string ETag)>();
            foreach (var item in page.Values)
            {
                var etag = item.Properties.ETag?.ToString() ?? "";
                if (_announced.TryGetValue(item.Name, out var seen) && seen == etag) continue;
                var blob = container.GetBlobClient(item.Name);
                var evt = BlobCreatedEvent.Create(clients.Blobs.AccountName, settings.ImagesContainer, item.Name, etag, item.Properties.ContentLength ?? 0, blob.Uri);
                // Enqueue first, then the receipts: a crash in between repeats, never loses. Not cancelled in between, so a
                // graceful stop never leaves an announcement without its receipt.
                var json = evt.ToJson();
                await queue.SendMessageAsync(json, CancellationToken.None);
                _pending.Add(item.Name, etag, item.Properties.LastModified, json, DateTimeOffset.UtcNow);
                fresh.Add((item.Name, etag));
            }
            // The page's receipts in transactions (one partition, up to 100 entities each) rather than one request per blob.
            foreach (var chunk in fresh.Chunk(100))
            {
                var now = DateTimeOffset.UtcNow;
                await Receipts.SubmitTransactionAsync(chunk.Select(b => new TableTransactionAction(TableTransactionActionType.UpsertReplace,
                    new TableEntity(settings.ImagesContainer, ResultKeys.RowKey(b.Name))
                    {
                        ["BlobName"] = b.Name,
                        ["BlobETag"] = b.ETag,
                        ["AnnouncedAt"] = now,
                    })), CancellationToken.None);
                foreach (var b in chunk)
                {
                    _announced[b.Name] = b.ETag;
                    Interlocked.Increment(ref Announced);
                    count++;
                }
            }
        }
        if (count > 0)
        {
            log.LogDebug("Scanner: announced {Count} new blobs", count);
        }
        return count;
    }
}
