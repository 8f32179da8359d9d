using FunctionsDrift.Core.Embedding;
using FunctionsDrift.Core.Images;
using SkiaSharp;

namespace FunctionsDrift.Core.Features;

/// <summary>
/// Image bytes → <see cref="ImageFeatures"/>: reduced-scale decode, colour/quality/patch statistics, and (when an embedder is given) the CNN embedding.
/// Thread-safe; share one instance per process.
/// </summary>
public sealed class FeatureExtractor(OnnxEmbedder? embedder, ImageLoadOptions? loadOptions = null)
{
    private readonly ImageLoadOptions _load = loadOptions ?? ImageLoadOptions.Scoring;

    public OnnxEmbedder? Embedder { get; } = embedder;

    /// <summary>Identity of the embedding model, or "none" for colour-and-quality-only features.</summary>
    public string ModelIdentity => Embedder?.Manifest.Identity ?? "none";

    public ImageFeatures Extract(ReadOnlySpan<byte> bytes)
    {
        using var bitmap = ImageLoader.Decode(bytes, _load);
        return Extract(bitmap);
    }

    public ImageFeatures ExtractFile(string path)
    {
        using var bitmap = ImageLoader.LoadFile(path, _load);
        return Extract(bitmap);
    }

    public ImageFeatures Extract(SKBitmap bitmap)
    {
        var (hsv, quality, patch) = FeatureComputer.Compute(bitmap);
        float[] embedding = [];
        if (Embedder is not null)
        {
            embedding = new float[Embedder.Dimension];
            Embedder.Embed(bitmap, embedding);
        }
        return new ImageFeatures(embedding, hsv, quality, patch, bitmap.Width, bitmap.Height);
    }
}
