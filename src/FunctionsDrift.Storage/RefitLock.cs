using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;

namespace FunctionsDrift.Storage;

/// <summary>
/// The refit lock across processes: a 60 s lease on the blob <c>refit.lock</c> in the models container, renewed every 20 s
/// while the refit runs and released at the end (a crashed holder frees it within a minute). The holder's refit id and start
/// time are written into the blob's metadata, so a second caller can say which refit is running.
/// </summary>
public sealed class RefitLock(BlobContainerClient models, ILogger log)
{
    public const string BlobName = "refit.lock";
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Renewal = TimeSpan.FromSeconds(20);

    private BlobClient Blob => models.GetBlobClient(BlobName);

    /// <summary>A held lease; disposing releases it.</summary>
    public sealed class Held : IAsyncDisposable
    {
        private readonly BlobLeaseClient _lease;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _renewing;
        private readonly ILogger _log;

        internal Held(BlobLeaseClient lease, ILogger log)
        {
            _lease = lease;
            _log = log;
            _renewing = RenewAsync();
        }

        private async Task RenewAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(Renewal, _stop.Token);
                    await _lease.RenewAsync(cancellationToken: _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (RequestFailedException e)
                {
                    _log.LogWarning("Refit lock: renewing the lease failed ({Status} {Code}); another refit may start", e.Status, e.ErrorCode);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _renewing;
            try
            {
                await _lease.ReleaseAsync();
            }
            catch (RequestFailedException e)
            {
                _log.LogWarning("Refit lock: releasing the lease failed ({Status}); it expires within {Seconds} s", e.Status, Duration.TotalSeconds);
            }
            _stop.Dispose();
        }
    }

    /// <summary>
    /// Takes the lock for <paramref name="refitId"/>, or returns (null, id of the running refit) at once when another holds it.
    /// </summary>
    public async Task<(Held? Lock, string? RunningId)> TryAcquireAsync(string refitId, CancellationToken ct)
    {
        await models.CreateIfNotExistsAsync(cancellationToken: ct);
        try
        {
            await Blob.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, ct);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // Exists already (the usual case), or leased by a running refit.
        }
        var lease = Blob.GetBlobLeaseClient();
        try
        {
            await lease.AcquireAsync(Duration, cancellationToken: ct);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return (null, await RunningIdAsync(ct));
        }
        var held = new Held(lease, log);
        try
        {
            await Blob.SetMetadataAsync(new Dictionary<string, string> { ["refitid"] = refitId, ["started"] = DateTimeOffset.UtcNow.ToString("o") },
                new BlobRequestConditions { LeaseId = lease.LeaseId }, ct);
        }
        catch
        {
            await held.DisposeAsync();
            throw;
        }
        return (held, null);
    }

    private async Task<string> RunningIdAsync(CancellationToken ct)
    {
        try
        {
            var props = await Blob.GetPropertiesAsync(cancellationToken: ct);
            return props.Value.Metadata.TryGetValue("refitid", out var id) ? id : "unknown";
        }
        catch (RequestFailedException)
        {
            return "unknown";
        }
    }
}
