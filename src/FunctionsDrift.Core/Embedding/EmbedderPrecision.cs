namespace FunctionsDrift.Core.Embedding;

/// <summary>Numeric precision of the bundled ResNet18: each has its own manifest and so its own embedder identity.</summary>
public enum EmbedderPrecision
{
    /// <summary>The package's FP32 model, as ML.NET runs it.</summary>
    Fp32,
    /// <summary>The static INT8 model made from it by <see cref="Int8Quantizer"/>: about twice the inferences per core.</summary>
    Int8,
}

public static class EmbedderPrecisions
{
    /// <summary>What <c>drift fit</c>, <c>drift score</c>, the local host and the Functions app use unless told otherwise.</summary>
    /// <remarks>
    /// FP32: on the time-forward benchmark split the INT8 embedding moved the false alarms of the pca detector alone by 11
    /// of 235 frames (knn by 6), more than the one image the switch was allowed (README, "Speed and memory").
    /// </remarks>
    public const EmbedderPrecision Default = EmbedderPrecision.Fp32;

    public static string Name(this EmbedderPrecision p) => p == EmbedderPrecision.Int8 ? "int8" : "fp32";

    public static EmbedderPrecision Parse(string value) => value.Trim().ToLowerInvariant() switch
    {
        "int8" => EmbedderPrecision.Int8,
        "fp32" => EmbedderPrecision.Fp32,
        _ => throw new DriftException($"precision must be fp32 or int8, not '{value}'"),
    };
}
