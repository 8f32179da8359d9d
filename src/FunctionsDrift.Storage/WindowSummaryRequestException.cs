namespace FunctionsDrift.Storage;

/// <summary>The request itself is out of bounds (HTTP 400).</summary>
public sealed class WindowSummaryRequestException(string message) : WindowSummaryException(message);
