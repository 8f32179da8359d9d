namespace FunctionsDrift.Core;

/// <summary>Base of every expected, user-facing engine failure (bad image, bad model file, bad settings).</summary>
public class DriftException(string message, Exception? inner = null) : Exception(message, inner);
