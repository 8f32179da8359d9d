namespace FunctionsDrift.Core.Embedding;

/// <summary>Channels × height × width of one intermediate activation (batch 1, NCHW).</summary>
public readonly record struct FeatureMapShape(string Name, int Channels, int Height, int Width)
{
    public int Length => Channels * Height * Width;

    /// <summary>From ONNX Runtime's output dimensions [1, C, H, W]; anything else is a clear error.</summary>
    public static FeatureMapShape Of(string name, int[] dims)
    {
        if (dims.Length != 4 || dims[0] > 1 || dims.Skip(1).Any(d => d <= 0))
        {
            throw new DriftException($"feature map {name} must be [1, C, H, W] with known sizes, the model says [{string.Join(", ", dims)}]");
        }
        return new FeatureMapShape(name, dims[1], dims[2], dims[3]);
    }
}
