using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace FunctionsDrift.Storage;

/// <summary>
/// The scoring service's instruments on the meter <c>FunctionsDrift</c>: time per stage of each blob
/// (<c>drift.scoring.stage.duration</c>, ms, tag <c>stage</c>) and blobs scored (<c>drift.scoring.scored</c>). Any
/// System.Diagnostics.Metrics listener reads them — OpenTelemetry, dotnet-counters, or <c>drift bench-host</c>.
/// </summary>
public static class ScoringMetrics
{
    public const string StageDurationName = "drift.scoring.stage.duration";
    public const string ScoredName = "drift.scoring.scored";

    /// <summary>The stages, in the order a blob goes through them.</summary>
    public static readonly string[] Stages = ["properties", "lookup", "model", "download", "extract+score", "upsert"];

    private static readonly Meter Meter = new(MeterVerdictMetric.MeterName);
    private static readonly Histogram<double> StageDuration = Meter.CreateHistogram<double>(StageDurationName, unit: "ms", description: "Time of one stage of scoring one blob");
    private static readonly Counter<long> ScoredCounter = Meter.CreateCounter<long>(ScoredName, description: "Blobs scored (a verdict row written)");

    /// <summary>Records the time since <paramref name="since"/> (a Stopwatch timestamp) for a stage; returns now.</summary>
    internal static long Stage(string stage, long since)
    {
        var now = Stopwatch.GetTimestamp();
        StageDuration.Record(Stopwatch.GetElapsedTime(since, now).TotalMilliseconds, new KeyValuePair<string, object?>("stage", stage));
        return now;
    }

    internal static void Scored() => ScoredCounter.Add(1);
}
