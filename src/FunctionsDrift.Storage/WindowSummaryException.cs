namespace FunctionsDrift.Storage;

/// <summary>Window tests cannot run (no reference published, no reference features, a reference too short).</summary>
public class WindowSummaryException(string message) : Exception(message);
