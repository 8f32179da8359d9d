using FunctionsDrift.Core.Scoring;

namespace FunctionsDrift.Cli.Reporting;

/// <summary>Precision and recall from a score file's own flag columns, against labels.</summary>
internal static class ScoreMetrics
{
    /// <summary>Name of the fused verdict's row, next to the detectors' names.</summary>
    public const string Fused = "fused";

    /// <summary>One row per detector (its <c>_flag</c> column) and one for the fused verdict (<c>drift</c>).</summary>
    public static IReadOnlyList<DetectionMetrics> PerDetector(ScoreTable scores, IReadOnlyDictionary<string, ImageLabel> labels, IReadOnlyList<string> detectors)
    {
        var scored = scores.Rows.Where(r => r.IsScored() && labels.ContainsKey(r.Image)).ToList();
        return detectors.Append(Fused).Select(name => DetectionMetrics.Count(name, scored
            .Select(r => (Flag: Flag(r, name), Label: labels[r.Image]))
            .Where(v => v.Flag is not null)
            .Select(v => (v.Flag!.Value, v.Label)))).ToList();
    }

    /// <summary>The fused verdict or one detector's flag; null where the row has none.</summary>
    public static bool? Flag(ResultRow row, string name) => name == Fused ? row.Drift : row.Detector(name)?.Flag;
}
