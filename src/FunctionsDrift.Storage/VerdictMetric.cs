using System.Diagnostics.Metrics;

namespace FunctionsDrift.Storage;

/// <summary>Where each verdict is reported as the <c>DriftVerdict</c> metric (value 1 = drift, 0 = no drift; dimension referenceVersion).</summary>
public interface IVerdictMetric
{
    void Record(bool drift, string referenceVersion);
}

/// <summary>
/// <c>DriftVerdict</c> as a System.Diagnostics.Metrics histogram on the meter <c>FunctionsDrift</c> (OpenTelemetry / dotnet-counters);
/// the Functions app adds an Application Insights sink so that the metric lands in <c>customMetrics</c>.
/// </summary>
public sealed class MeterVerdictMetric : IVerdictMetric
{
    public const string MeterName = "FunctionsDrift";
    public const string MetricName = "DriftVerdict";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Histogram<int> Verdicts = Meter.CreateHistogram<int>(MetricName, description: "1 when an image is flagged as drift, 0 otherwise");

    public void Record(bool drift, string referenceVersion) =>
        Verdicts.Record(drift ? 1 : 0, new KeyValuePair<string, object?>("referenceVersion", referenceVersion));
}
