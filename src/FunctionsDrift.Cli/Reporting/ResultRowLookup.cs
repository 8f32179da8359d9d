using FunctionsDrift.Core.Scoring;

namespace FunctionsDrift.Cli.Reporting;

/// <summary>What the report and <c>drift windows</c> ask of a <see cref="ResultRow"/> read back by <see cref="ScoreTable"/>.</summary>
internal static class ResultRowLookup
{
    /// <summary>The row has a verdict and no error; rates and metrics count only such rows.</summary>
    public static bool IsScored(this ResultRow row) => row.Drift is not null && string.IsNullOrEmpty(row.Error);

    /// <summary>The named detector's result; null where the row has none.</summary>
    public static DetectorResult? Detector(this ResultRow row, string name) =>
        row.Detectors.FirstOrDefault(d => string.Equals(d.Detector, name, StringComparison.Ordinal));
}
