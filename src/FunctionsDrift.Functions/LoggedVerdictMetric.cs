using FunctionsDrift.Storage;
using Microsoft.Extensions.Logging;

namespace FunctionsDrift.Functions;

/// <summary>
/// DriftVerdict, per verdict: the System.Diagnostics.Metrics histogram and a structured Information trace
/// <c>DriftVerdict {DriftVerdict} referenceVersion={referenceVersion}</c>, which reaches Application Insights as a
/// <c>traces</c> row with both values in <c>customDimensions</c> — the rows the drift-rate alert counts.
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
