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
    /// <summary>Messages scored at once, with the default applied: two per core, so one waits on storage while the other extracts.</summary>
    public int EffectiveParallelism => Parallelism > 0 ? Parallelism : 2 * Environment.ProcessorCount;
    /// <summary>
    /// Most BlobCreated events in one queue message (an Event Grid array). A burst then costs one send, receive and delete per
    /// few blobs instead of per blob; a listing's new blobs are still spread over at least <see cref="EffectiveParallelism"/>
    /// messages, so a lone upload travels alone and a small batch is scored in parallel.
    /// </summary>
    public int MaxEventsPerMessage { get; init; } = 8;
    /// <summary>
    /// Longest pause of the listings while the host still holds a large backlog of announced, unscored blobs (see
    /// <see cref="BlobScanner"/>: backpressure).
    /// </summary>
    public TimeSpan MaxBacklogWait { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>
    /// An announced blob still without a row for its ETag after this long is announced again (see <see cref="PendingVerdicts"/>).
    /// </summary>
    public TimeSpan VerdictGrace { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>
    /// Re-announcements of a blob that still has no verdict before the host gives up on it and writes a final error row of
    /// kind <see cref="PendingVerdicts.RetriesExhaustedKind"/> (each announcement is delivered up to five times).
    /// </summary>
    public int MaxReannouncements { get; init; } = 3;
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
/// yet puts an Event-Grid-shaped BlobCreated event on the <c>blob-created</c> queue (an Event Grid array of up to
/// <see cref="LocalHostOptions.MaxEventsPerMessage"/> events per message), then records a receipt (table
/// <c>{ResultsTable}scan</c>, one entity per blob). Order — enqueue, then receipt — means a crash between the two repeats an
/// announcement (harmless: scoring is idempotent per blob and ETag) but never loses one. Receipts are loaded at start-up, so a
/// restart announces exactly the blobs that arrived while the host was down.
/// </summary>
public sealed class BlobScanner(StorageClients clients, DriftSettings settings, LocalHostOptions options, ResultsStore results, ILogger<BlobScanner> log) : BackgroundService
{
    private readonly ConcurrentDictionary<string, string> _announced = new(StringComparer.Ordinal);
    private readonly PendingVerdicts _pending = new(results, log);
    private readonly BlobListing _listing = new(log);

    /// <summary>
    /// The images container for listings only, without the SDK's retries: a page Azurite cannot list fails every time, and
    /// the search around it (<see cref="BlobListing"/>) needs each failure at once, not after four tries with back-off. The
    /// scanner's own loop retries a listing that failed for another reason.
    /// </summary>
    private Azure.Storage.Blobs.BlobContainerClient ListingClient => _listingClient ??= new Azure.Storage.Blobs.BlobContainerClient(
        options.Connection, settings.ImagesContainer,
        StorageClients.Diagnostics(new Azure.Storage.Blobs.BlobClientOptions { Retry = { MaxRetries = 0 } }, enabled: false));
    private Azure.Storage.Blobs.BlobContainerClient? _listingClient;

    /// <summary>Unlistable blob names stepped over (see <see cref="BlobListing"/>).</summary>
    public int UnlistableSkipped => _listing.Skipped;
    private DateTimeOffset _lastSweep = DateTimeOffset.UtcNow;

    /// <summary>Announcements not yet confirmed by a row (for tests).</summary>
    public PendingVerdicts Pending => _pending;
    private TableClient Receipts => clients.Tables.GetTableClient(settings.ResultsTable + "scan");

    /// <summary>Blobs announced since start (for tests and the benchmark).</summary>
    public long Announced;

    /// <summary>Queue messages handled on a delivery after their first (a failed or stranded attempt before), since start.</summary>
    public long Redeliveries;

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
        var started = DateTimeOffset.UtcNow;
        // Announced by this run within the grace period and still unscored: the work the host already has queued.
        int Backlog() => _pending.CountSince(Max(started, DateTimeOffset.UtcNow - options.VerdictGrace));
        int backlogLow = 2 * options.EffectiveParallelism * Math.Max(1, options.MaxEventsPerMessage);
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
                // Backpressure: a listing returns the whole container (on Azurite that costs it and the host CPU the scorer
                // needs), and during a burst it would only find blobs that queue behind the backlog anyway. So while the
                // backlog exceeds a few messages per slot, wait (at most MaxBacklogWait) before listing again.
                var until = DateTimeOffset.UtcNow + options.MaxBacklogWait;
                while (Backlog() > backlogLow && DateTimeOffset.UtcNow < until)
                {
                    await Task.Delay(options.ScanInterval, stoppingToken);
                }
                await Task.Delay(interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>Re-announces announced blobs that still have no verdict after <see cref="LocalHostOptions.VerdictGrace"/>.</summary>
    public Task<int> SweepAsync(CancellationToken ct) =>
        _pending.SweepAsync(clients.Blobs.GetBlobContainerClient(settings.ImagesContainer), clients.Queues.GetQueueClient(settings.BlobCreatedQueue),
            options.VerdictGrace, maxChecks: 500, options.MaxReannouncements, ct);

    public async Task<int> ScanOnceAsync(CancellationToken ct)
    {
        var container = clients.Blobs.GetBlobContainerClient(settings.ImagesContainer);
        var queue = clients.Queues.GetQueueClient(settings.BlobCreatedQueue);
        int count = 0;
        await foreach (var page in _listing.PagesAsync(ListingClient, ct))
        {
            var fresh = new List<(string Name, string ETag, DateTimeOffset? LastModified, string Json)>();
            foreach (var item in page)
            {
                var etag = item.Properties.ETag?.ToString() ?? "";
                if (_announced.TryGetValue(item.Name, out var seen) && seen == etag) continue;
                var evt = BlobCreatedEvent.Create(clients.Blobs.AccountName, settings.ImagesContainer, item.Name, etag,
                    item.Properties.ContentLength ?? 0, container.GetBlobClient(item.Name).Uri);
                fresh.Add((item.Name, etag, item.Properties.LastModified, evt.ToJson()));
            }
            // Enqueue first, then the receipts: a crash in between repeats, never loses. Not cancelled in between, so a
            // graceful stop never leaves an announcement without its receipt.
            int parallel = options.EffectiveParallelism;
            int perMessage = Math.Clamp((fresh.Count + parallel - 1) / parallel, 1, Math.Max(1, options.MaxEventsPerMessage));
            // Pending before sending, so a handler that finishes at once finds its entry to confirm. A re-announcement by the
            // sweep travels alone.
            var announcedAt = DateTimeOffset.UtcNow;
            foreach (var f in fresh)
            {
                _pending.Add(f.Name, f.ETag, f.LastModified, f.Json, announcedAt);
            }
            foreach (var message in BlobCreatedEvent.Batch(fresh.Select(f => f.Json), perMessage))
            {
                await queue.SendMessageAsync(message, CancellationToken.None);
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
