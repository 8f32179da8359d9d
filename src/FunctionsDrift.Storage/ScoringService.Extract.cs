using System.Diagnostics;
using FunctionsDrift.Core;
using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Images;
using FunctionsDrift.Core.Model;
using FunctionsDrift.Core.Scoring;
using Microsoft.Extensions.Logging;

namespace FunctionsDrift.Storage;

public sealed partial class ScoringService
{
    // Feature extraction is CPU-bound: at most one per core at a time, however many messages are in flight waiting on storage.
    private readonly SemaphoreSlim _cpu = new(Environment.ProcessorCount, Environment.ProcessorCount);

    private async Task<(ScoreOutcome, ResultEntity?)> FinishAsync(ResultEntity row, BinaryData content, ReferenceModel model,
        long started, long t, CancellationToken ct)
    {
        ImageFeatures features = null!;
        ScoreResult verdict = null!;
        (string Kind, string Message)? failure = null;
        await _cpu.WaitAsync(ct);
        try
        {
            features = extractor.Extract(content.ToMemory().Span, model.RegionCell);
            verdict = ScorerFor(model).Score(features);
        }
        catch (ImageDecodeException e)
        {
            failure = (e.Kind.ToString(), e.Message);
        }
        catch (DriftException e)
        {
            failure = ("Scoring", e.Message);
        }
        finally
        {
            _cpu.Release();
        }
        if (failure is { } f)
        {
            return await WriteError(row, f.Kind, f.Message, started, ct);
        }

        t = ScoringMetrics.Stage("extract+score", t);
        row.StoreVerdict(verdict);
        row.StoreFeatures(features);
        row.EmbedderIdentity = model.ModelIdentity;
        row.ScoredAt = DateTimeOffset.UtcNow;
        row.ScoreMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        // Once a verdict exists, finish writing it even if the host is stopping: a write cancelled after the server
        // stored it would leave a row whose verdict was never counted, and the redelivery would only find it done.
        if (await CommitAsync(row) is { } existing)
        {
            log.LogInformation("Blob {Blob} ({ETag}) already scored by another delivery; not counted again", row.BlobName, existing.BlobETag);
            return (ScoreOutcome.AlreadyDone, existing);
        }
        ScoringMetrics.Stage("upsert", t);
        ScoringMetrics.Scored();
        metric.Record(verdict.Drift, verdict.ReferenceVersion);
        log.LogInformation("Scored {Blob}: drift={Drift} p={FusedP:0.###e+0} reference={Version} {Reasons}",
            row.BlobName, verdict.Drift, verdict.FusedPValue, verdict.ReferenceVersion, verdict.Reasons);
        return (ScoreOutcome.Scored, row);
    }
}
