namespace FunctionsDrift.Storage;

/// <summary>
/// The pointer names a reference model that cannot be used: its version blob is missing, corrupt or of another schema.
/// Scoring writes an error row of kind <see cref="ScoringService.ModelUnavailableKind"/>; health answers 503.
/// </summary>
public sealed class ModelUnavailableException(string version, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The version the pointer names ("?" when the pointer itself could not be read).</summary>
    public string Version { get; } = version;
}
