using System.Buffers;
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
        var (hsv, quality) = FeatureComputer.Compute(bitmap);
        float[] embedding = [], patches = [];
        int grid = 0;
        if (Embedder is { } embedder)
        {
            embedding = new float[embedder.Dimension];
            if (embedder.FeatureMapLength == 0)
            {
                embedder.Embed(bitmap, embedding);
            }
            else
            {
                (grid, int dim) = PatchDescriptors.Layout(embedder.FeatureMapShapes);
                patches = new float[grid * grid * dim];
                float[] maps = ArrayPool<float>.Shared.Rent(embedder.FeatureMapLength);
                try
                {
                    var span = maps.AsSpan(0, embedder.FeatureMapLength);
                    embedder.Embed(bitmap, embedding, span);
                    PatchDescriptors.Compute(span, embedder.FeatureMapShapes, patches);
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(maps);
                }
            }
        }
        return new ImageFeatures(embedding, hsv, quality, patches, bitmap.Width, bitmap.Height) { PatchCount = patches.Length == 0 ? 0 : grid * grid, Edges = EdgeMap.Compute(bitmap) };
    }
}
