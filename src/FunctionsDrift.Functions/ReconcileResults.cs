using FunctionsDrift.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace FunctionsDrift.Functions;

/// <summary>
/// Every 5 minutes: re-scores rows that have no verdict because no usable model existed when their blob arrived
/// (NoReference, ModelUnavailable, ModelMismatch), a bounded number per run. A fixed schedule, so it needs no app setting.
/// </summary>
public sealed class ReconcileResults(ReconcileService reconcile, ILogger<ReconcileResults> log)
{
    [Function(nameof(ReconcileResults))]
    public async Task Run([TimerTrigger("0 */5 * * * *")] TimerInfo timer, CancellationToken ct)
    {
        var outcome = await reconcile.ReconcileAsync(ct);
        log.LogInformation("Reconcile: {Message}", outcome.Message);
    }
}
