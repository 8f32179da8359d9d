namespace FunctionsDrift.Cli.Reporting;

/// <summary>A detector as the report needs it: its out-of-fold reference scores and its threshold.</summary>
internal sealed record ReportDetector(string Name, IReadOnlyList<double> Calibration, double Threshold);
