namespace FunctionsDrift.Core.Windows;

/// <summary>A window setting out of its bounds (see <see cref="WindowOptions.Validate"/>): the caller's input, not the data.</summary>
public sealed class WindowOptionsException(string message) : DriftException(message);
