using FunctionsDrift.Storage;
using Microsoft.ApplicationInsights;
using Microsoft.Extensions.Logging;

namespace FunctionsDrift.Functions;

/// <summary>
/// DriftVerdict, per verdict: an Application Insights custom metric (pre-aggregated by the SDK, lands in
/// <c>customMetrics</c> with the dimension referenceVersion — what the drift-rate alert reads), the
/// System.Diagnostics.Metrics histogram, and a structured <c>DriftVerdict</c> trace.
/// </summary>
public sealed class LoggedVerdictMetric(ILogger<LoggedVerdictMetric> log, TelemetryClient? telemetry = null) : IVerdictMetric
{
    private readonly MeterVerdictMetric _meter = new();

    public void Record(bool drift, string referenceVersion)
    {
        _meter.Record(drift, referenceVersion);
        telemetry?.GetMetric("DriftVerdict", "referenceVersion").TrackValue(drift ? 1 : 0, referenceVersion);
        log.LogInformation("DriftVerdict {DriftVerdict} referenceVersion={referenceVersion}", drift ? 1 : 0, referenceVersion);
    }
}
