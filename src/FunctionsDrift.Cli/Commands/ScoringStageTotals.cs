using System.Diagnostics.Metrics;
using FunctionsDrift.Storage;

namespace FunctionsDrift.Cli.Commands;

/// <summary>Sums the scoring service's stage durations and scored count from its meter (bench-host's per-stage diagnostics).</summary>
internal sealed class ScoringStageTotals : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, double> _ms = ScoringMetrics.Stages.ToDictionary(s => s, _ => 0.0);
    private long _scored;

    public ScoringStageTotals()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MeterVerdictMetric.MeterName && instrument.Name is ScoringMetrics.StageDurationName or ScoringMetrics.ScoredName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "stage", Value: string stage })
                {
                    lock (_ms) _ms[stage] = _ms.GetValueOrDefault(stage) + value;
                }
            }
        });
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _scored, value));
        _listener.Start();
    }

    /// <summary>Total ms per stage and blobs scored so far.</summary>
    public (Dictionary<string, double> Ms, long Scored) Snapshot()
    {
        lock (_ms) return (new Dictionary<string, double>(_ms), Interlocked.Read(ref _scored));
    }

    public void Dispose() => _listener.Dispose();
}
