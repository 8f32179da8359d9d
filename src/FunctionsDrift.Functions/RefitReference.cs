using FunctionsDrift.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace FunctionsDrift.Functions;

/// <summary>
/// Refits the reference on <c>%RefitSchedule%</c> (default daily at 03:00 UTC), then re-scores rows that waited for a usable model.
/// </summary>
public sealed class RefitReference(RefitService refit, ReconcileService reconcile, ILogger<RefitReference> log)
{
    [Function(nameof(RefitReference))]
    public async Task Run([TimerTrigger("%RefitSchedule%")] TimerInfo timer, CancellationToken ct)
    {
        var outcome = await refit.RefitAsync(ct);
        log.LogInformation("Scheduled refit: {Message}", outcome.Message);
        if (outcome.Published)
        {
            await reconcile.ReconcileAsync(ct);
        }
    }
}
