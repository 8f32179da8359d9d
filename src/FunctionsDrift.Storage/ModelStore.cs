using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using FunctionsDrift.Core.Model;
using Microsoft.Extensions.Logging;

namespace FunctionsDrift.Storage;

/// <summary>The pointer blob <c>current.json</c>: which immutable version scorers use.</summary>
public sealed record ModelPointer(string Version, string Path, DateTimeOffset PublishedUtc, int ImageCount);

/// <summary>
/// Reference models in blob storage: immutable versions under <c>versions/{version}.fdm</c> and a small
/// <c>current.json</c> pointer swapped with an ETag condition, so a scorer never reads half a model.
/// The loaded model is cached in memory and re-read only when the pointer's ETag changes (one properties request per check;
/// scorers reuse a check for up to a second when it provably covers the blob, see <see cref="GetCurrentForBlobAsync"/>).
/// Thread-safe; share one instance per process.
/// </summary>
public sealed class ModelStore
{
    public const string PointerName = "current.json";
    public const string VersionsPrefix = "versions/";

    private readonly BlobContainerClient _container;
    private readonly ILogger _log;
    private readonly SemaphoreSlim _reload = new(1, 1);
    private volatile Cached? _cached;

    private sealed record Cached(ETag ETag, ReferenceModel Model);

    public ModelStore(BlobContainerClient container, ILogger<ModelStore>? log = null)
    {
        _container = container;
        _log = (ILogger?)log ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    public BlobContainerClient Container => _container;

    private BlobClient Pointer => _container.GetBlobClient(PointerName);

    public static string VersionPath(string version) => $"{VersionsPrefix}{version}.fdm";

    /// <summary>How long a pointer check may be reused for blobs it provably covers (see <see cref="GetCurrentForBlobAsync"/>).</summary>
    public static readonly TimeSpan PointerCheckReuse = TimeSpan.FromSeconds(1);

    /// <summary>One pointer properties request: the ETag seen (null = no pointer) and when it was made.</summary>
    private sealed record PointerCheck(ETag? ETag, long SentAt, DateTimeOffset? ReadNoEarlierThan);

    private volatile PointerCheck? _lastCheck;

    /// <summary>Pointer properties requests made so far (diagnostics).</summary>
    public long PointerChecks => Interlocked.Read(ref _pointerChecks);
    private long _pointerChecks;

    /// <summary>Model version downloads attempted so far (diagnostics: a failing model is not downloaded for every blob).</summary>
    public long ModelDownloads => Interlocked.Read(ref _modelDownloads);
    private long _modelDownloads;

    /// <summary>The current model, or null when none is published yet. Cheap when unchanged: a properties request.</summary>
    public async Task<ReferenceModel?> GetCurrentAsync(CancellationToken ct) => await LoadAsync(await CheckPointerAsync(ct), ct);

    /// <summary>
    /// The model to score a blob with, reusing a recent pointer check when it provably saw every swap that completed
    /// before the blob was written: the check is at most <see cref="PointerCheckReuse"/> old, and either it was sent after
    /// this process observed the blob (<paramref name="observedAt"/>, a <see cref="System.Diagnostics.Stopwatch"/> timestamp
    /// taken when the blob's properties or content arrived), or the server read the pointer (its Date header minus the
    /// round trip) at least a second after the blob's last-modified time (both on the storage clock, second resolution).
    /// So a blob uploaded after a swap is always scored with the new version, and a swap is picked up within a second.
    /// </summary>
    public async Task<ReferenceModel?> GetCurrentForBlobAsync(DateTimeOffset blobLastModified, long observedAt, CancellationToken ct)
    {
        var check = _lastCheck;
        if (check is null || !Covers(check, blobLastModified, observedAt))
        {
            check = await CheckPointerAsync(ct);
        }
        return await LoadAsync(check, ct);
    }

    private static bool Covers(PointerCheck check, DateTimeOffset blobLastModified, long observedAt) =>
        System.Diagnostics.Stopwatch.GetElapsedTime(check.SentAt) <= PointerCheckReuse
        && (check.SentAt >= observedAt || check.ReadNoEarlierThan >= blobLastModified.AddSeconds(1));

    private async Task<PointerCheck> CheckPointerAsync(CancellationToken ct)
    {
        var sent = System.Diagnostics.Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _pointerChecks);
        PointerCheck check;
        try
        {
            var response = await Pointer.GetPropertiesAsync(cancellationToken: ct);
            var date = response.GetRawResponse().Headers.Date;
            check = new PointerCheck(response.Value.ETag, sent, date - System.Diagnostics.Stopwatch.GetElapsedTime(sent));
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            check = new PointerCheck(null, sent, null);
        }
        // Keep the newest check (concurrent checks may finish out of order).
        while (true)
        {
            var last = _lastCheck;
            if (last is not null && last.SentAt >= check.SentAt) break;
            if (Interlocked.CompareExchange(ref _lastCheck, check, last) == last) break;
        }
        return check;
    }

    /// <summary>How long a pointer whose model cannot be loaded is not tried again (unless the pointer changes).</summary>
    public static readonly TimeSpan FailureRetry = TimeSpan.FromSeconds(30);

    /// <summary>The last load failure: the pointer ETag it happened for, why, and until when it stands.</summary>
    private sealed record Failure(ETag ETag, string Version, string Message, long Until);

    private volatile Failure? _failure;

    private async Task<ReferenceModel?> LoadAsync(PointerCheck check, CancellationToken ct)
    {
        if (check.ETag is not { } etag)
        {
            return null;
        }
        var cached = _cached;
        if (cached is not null && cached.ETag == etag)
        {
            return cached.Model;
        }
        ThrowIfRecentlyFailed(etag);
        await _reload.WaitAsync(ct);
        try
        {
            cached = _cached;
            if (cached is not null && cached.ETag == etag)
            {
                return cached.Model;
            }
            ThrowIfRecentlyFailed(etag);
            ModelPointer? pointer = null;
            ETag pointerETag = etag;
            try
            {
                (pointer, pointerETag) = await ReadPointerAsync(ct);
                if (pointer is null)
                {
                    return null;
                }
                if (_cached is { } newer && newer.ETag == pointerETag)
                {
                    return newer.Model;
                }
                Interlocked.Increment(ref _modelDownloads);
                var content = await _container.GetBlobClient(pointer.Path).DownloadContentAsync(ct);
                var model = ReferenceModel.Load(content.Value.Content.ToMemory().Span);
                _cached = new Cached(pointerETag, model);
                _failure = null;
                _log.LogInformation("Loaded reference model {Version} ({Images} images)", model.Version, model.ImageCount);
                return model;
            }
            catch (Exception e) when (e is RequestFailedException { Status: 404 } or Core.DriftException or JsonException or InvalidDataException)
            {
                // Permanent until the pointer moves (or a refit writes a new version): remember it for a while, so that
                // every blob gets an error row at once instead of downloading the model again and failing on each try.
                var version = pointer?.Version ?? "?";
                var message = e is RequestFailedException
                    ? $"reference model {version} named by {PointerName} is missing ({pointer?.Path})"
                    : $"reference model {version} named by {PointerName} cannot be loaded: {e.Message}";
                _failure = new Failure(pointerETag, version, message,
                    System.Diagnostics.Stopwatch.GetTimestamp() + (long)(FailureRetry.TotalSeconds * System.Diagnostics.Stopwatch.Frequency));
                _log.LogError("Model unavailable: {Error} (retried in {Seconds} s or when the pointer changes)", message, FailureRetry.TotalSeconds);
                throw new ModelUnavailableException(version, message, e);
            }
        }
        finally
        {
            _reload.Release();
        }
    }

    private void ThrowIfRecentlyFailed(ETag etag)
    {
        if (_failure is { } f && f.ETag == etag && System.Diagnostics.Stopwatch.GetTimestamp() < f.Until)
        {
            throw new ModelUnavailableException(f.Version, f.Message);
        }
    }

    /// <summary>The pointer and its ETag, or (null, default) when there is none.</summary>
    public async Task<(ModelPointer? Pointer, ETag ETag)> ReadPointerAsync(CancellationToken ct)
    {
        try
        {
            var content = await Pointer.DownloadContentAsync(ct);
            var pointer = JsonSerializer.Deserialize<ModelPointer>(content.Value.Content.ToMemory().Span, JsonOptions)
                ?? throw new InvalidDataException("models/current.json is empty");
            return (pointer, content.Value.Details.ETag);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return (null, default);
        }
    }

    /// <summary>
    /// Writes <paramref name="model"/> as a new immutable version, then swaps the pointer to it with an ETag condition
    /// (If-Match the pointer read, or If-None-Match * on the first write). A newer version already published wins.
    /// Returns true when the pointer now names this version.
    /// </summary>
    public async Task<bool> PublishAsync(ReferenceModel model, CancellationToken ct)
    {
        await _container.CreateIfNotExistsAsync(cancellationToken: ct);
        var path = VersionPath(model.Version);
        try
        {
            await _container.GetBlobClient(path).UploadAsync(BinaryData.FromBytes(model.ToBytes()),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, ct);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            _log.LogInformation("Model version {Version} already written", model.Version);
        }

        var pointer = new ModelPointer(model.Version, path, DateTimeOffset.UtcNow, model.ImageCount);
        for (int attempt = 0; attempt < 8; attempt++)
        {
            var (current, etag) = await ReadPointerAsync(ct);
            if (current is not null && string.CompareOrdinal(current.Version, model.Version) >= 0)
            {
                _log.LogWarning("Pointer already names {Current}, not older than {Version}; not swapped", current.Version, model.Version);
                return current.Version == model.Version;
            }
            var conditions = current is null ? new BlobRequestConditions { IfNoneMatch = ETag.All } : new BlobRequestConditions { IfMatch = etag };
            try
            {
                await Pointer.UploadAsync(BinaryData.FromObjectAsJson(pointer, JsonOptions),
                    new BlobUploadOptions { Conditions = conditions, HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } }, ct);
                _log.LogInformation("Current reference model is now {Version} (was {Previous})", model.Version, current?.Version ?? "none");
                return true;
            }
            catch (RequestFailedException e) when (e.Status is 412 or 409)
            {
                _log.LogInformation("Pointer changed concurrently; retrying the swap");
            }
        }
        throw new InvalidOperationException("could not swap the model pointer after 8 attempts");
    }

    /// <summary>Versions in the container, oldest first (version names sort by time).</summary>
    public async Task<IReadOnlyList<string>> ListVersionsAsync(CancellationToken ct)
    {
        var names = new List<string>();
        try
        {
            await foreach (var item in _container.GetBlobsAsync(new GetBlobsOptions { Prefix = VersionsPrefix }, ct))
            {
                if (item.Name.EndsWith(".fdm", StringComparison.Ordinal))
                {
                    names.Add(item.Name[VersionsPrefix.Length..^4]);
                }
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return [];
        }
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <summary>Deletes all but the newest <paramref name="keep"/> versions; never the current one.</summary>
    public async Task<int> PruneAsync(int keep, CancellationToken ct)
    {
        var versions = await ListVersionsAsync(ct);
        var (current, _) = await ReadPointerAsync(ct);
        int deleted = 0;
        foreach (var version in versions.Take(Math.Max(0, versions.Count - keep)))
        {
            if (version == current?.Version) continue;
            await _container.GetBlobClient(VersionPath(version)).DeleteIfExistsAsync(cancellationToken: ct);
            deleted++;
        }
        if (deleted > 0)
        {
            _log.LogInformation("Pruned {Deleted} old model versions (keeping {Keep})", deleted, keep);
        }
        return deleted;
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}
