using System.Collections.Concurrent;
using Azure;
using Azure.Storage.Queues;
using FunctionsDrift.Storage;
using Microsoft.Extensions.Logging;

namespace FunctionsDrift.LocalHost;

/// <summary>
/// Announcements not yet confirmed by a result row. A queue message can be stranded — a host stopped while it held fetched
/// messages (invisible for minutes), or a message went to the poison queue after repeated storage faults — and the scanner
/// would never announce that blob again. The sweep re-announces every blob that still has no row for its ETag after a grace
/// period, so no blob is left without a verdict; a duplicate announcement is harmless (scoring is idempotent per blob and ETag).
/// </summary>
public sealed class PendingVerdicts(ResultsStore results, ILogger log)
{
    private sealed record Entry(string ETag, DateTimeOffset? LastModified, string Message, DateTimeOffset AnnouncedAt, int Reannouncements = 0);

    /// <summary>Error kind of the final row of a blob whose every announcement failed (see <see cref="SweepAsync"/>).</summary>
    public const string RetriesExhaustedKind = "RetriesExhausted";

    /// <summary>Blobs given up on (a final error row written) since start.</summary>
    public long GaveUp;

    private readonly ConcurrentDictionary<string, Entry> _pending = new(StringComparer.Ordinal);

    public int Count => _pending.Count;

    /// <summary>
    /// First announcements made at or after <paramref name="since"/> that have no verdict yet. Re-announced blobs are not
    /// counted: a blob that keeps failing must not hold back the listings of new ones.
    /// </summary>
    public int CountSince(DateTimeOffset since) => _pending.Values.Count(e => e.AnnouncedAt >= since && e.Reannouncements == 0);

    /// <summary>Blobs re-announced since start.</summary>
    public long Reannounced;

    /// <summary>The handler finished this blob (scored, error row, already done or gone): nothing to re-announce.</summary>
    public void Confirm(string name, string etag)
    {
        if (_pending.TryGetValue(name, out var e) && SameETag(e.ETag, etag))
        {
            _pending.TryRemove(new KeyValuePair<string, Entry>(name, e));
        }
    }

    /// <summary>Listings and property responses may quote ETags differently.</summary>
    private static bool SameETag(string? a, string? b) => string.Equals(a?.Trim('"'), b?.Trim('"'), StringComparison.Ordinal);

    public void Add(string name, string etag, DateTimeOffset? lastModified, string message, DateTimeOffset announcedAt) =>
        _pending[name] = new Entry(etag, lastModified, message, announcedAt);

    /// <summary>
    /// Drops the blobs whose row exists with their ETag (or that are gone) and re-announces those older than
    /// <paramref name="grace"/> that still have none. A blob already re-announced <paramref name="maxReannouncements"/> times
    /// gets a final error row of kind <see cref="RetriesExhaustedKind"/> instead (each announcement has had its five
    /// deliveries; the failures are in the log and the poison queue). At most <paramref name="maxChecks"/> lookups per call.
    /// </summary>
    public async Task<int> SweepAsync(Azure.Storage.Blobs.BlobContainerClient images, QueueClient queue, TimeSpan grace, int maxChecks,
        int maxReannouncements, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        int checks = 0, again = 0;
        foreach (var (name, entry) in _pending.ToArray())
        {
            if (now - entry.AnnouncedAt < grace) continue;
            if (checks++ >= maxChecks) break;
            var lastModified = entry.LastModified;
            if (lastModified is null)
            {
                try
                {
                    var props = (await images.GetBlobClient(name).GetPropertiesAsync(cancellationToken: ct)).Value;
                    if (!SameETag(props.ETag.ToString(), entry.ETag))
                    {
                        _pending.TryRemove(new KeyValuePair<string, Entry>(name, entry)); // overwritten: its new version is announced on its own
                        continue;
                    }
                    lastModified = props.LastModified;
                }
                catch (RequestFailedException e) when (e.Status == 404)
                {
                    _pending.TryRemove(new KeyValuePair<string, Entry>(name, entry));
                    continue;
                }
            }
            var row = await results.GetAsync(name, lastModified.Value, ct);
            if (row is not null && SameETag(row.BlobETag, entry.ETag))
            {
                _pending.TryRemove(new KeyValuePair<string, Entry>(name, entry));
                continue;
            }
            if (entry.Reannouncements >= maxReannouncements)
            {
                await GiveUpAsync(images, name, entry, lastModified.Value);
                _pending.TryRemove(new KeyValuePair<string, Entry>(name, entry));
                continue;
            }
            await queue.SendMessageAsync(entry.Message, CancellationToken.None);
            _pending[name] = entry with { LastModified = lastModified, AnnouncedAt = now, Reannouncements = entry.Reannouncements + 1 };
            Interlocked.Increment(ref Reannounced);
            again++;
        }
        if (again > 0)
        {
            log.LogWarning("Scanner: re-announced {Count} blobs still without a verdict after {Grace} s", again, grace.TotalSeconds);
        }
        return again;
    }

    /// <summary>Writes the final error row, unless a row for the blob appeared meanwhile (never overwrites a verdict).</summary>
    private async Task GiveUpAsync(Azure.Storage.Blobs.BlobContainerClient images, string name, Entry entry, DateTimeOffset lastModified)
    {
        int deliveries = entry.Reannouncements + 1;
        var row = new ResultEntity
        {
            PartitionKey = results.PartitionKeyFor(name, lastModified),
            RowKey = ResultKeys.RowKey(name),
            BlobName = name,
            BlobUrl = images.GetBlobClient(name).Uri.AbsoluteUri,
            BlobETag = entry.ETag,
            BlobLastModified = lastModified,
            ScoredAt = DateTimeOffset.UtcNow,
            Status = ResultEntity.StatusError,
            ErrorKind = RetriesExhaustedKind,
            Error = $"scoring failed on every delivery of {deliveries} announcements; see the host log and the poison queue",
        };
        try
        {
            await results.Table.AddEntityAsync(row, CancellationToken.None);
            Interlocked.Increment(ref GaveUp);
            log.LogError("Scanner: gave up on {Blob} after {Announcements} announcements without a verdict; final error row written", name, deliveries);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            log.LogInformation("Scanner: {Blob} got a row meanwhile; no final error row", name);
        }
    }
}
