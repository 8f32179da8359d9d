namespace FunctionsDrift.Cli.Reporting;

/// <summary>One row of a labels file: 1 = drifted, anything else = clean, and the drift kind (e.g. <c>rain</c>).</summary>
internal sealed record ImageLabel(int Value, string Kind);
