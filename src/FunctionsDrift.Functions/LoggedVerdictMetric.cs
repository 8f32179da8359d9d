using FunctionsDrift.Storage;
using Microsoft.Extensions.Logging;

namespace FunctionsDrift.Functions;

/// <summary>
/// DriftVerdict: records the System.Diagnostics.Metrics histogram and logs a structured <c>DriftVerdict</c> trace
/// (customDimensions value, referenceVersion) that Application Insights ingests alongside it.
/// </summary>
public sealed class LoggedVerdictMetric(ILogger<LoggedVerdictMetric> log) : IVerdictMetric
{
    private readonly MeterVerdictMetric _meter = new();

    public void Record(bool drift, string referenceVersion)
    {
        _meter.Record(drift, referenceVersion);
        log.LogInformation("DriftVerdict {DriftVerdict} referenceVersion={referenceVersion}", drift ? 1 : 0, referenceVersion);
    }
}
