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

    /// <summary>
    /// Smallest short side that is halved for the colour and quality statistics: halved, it still has 96 rows. Smaller
    /// images are used as they are, because on fewer pixels the statistics themselves get noisy (a 160×120 sample scene
    /// averaged to 80×60 flagged a clean frame on its edge balance).
    /// </summary>
    private const int MinHalvedShortSide = 192;

    public ImageFeatures Extract(ReadOnlySpan<byte> bytes)
    {
        using var bitmap = ImageLoader.Decode(bytes, _load, out long nativePixels);
        return Extract(bitmap, atNativeResolution: (long)bitmap.Width * bitmap.Height >= nativePixels);
    }

    public ImageFeatures ExtractFile(string path)
    {
        using var bitmap = ImageLoader.LoadFile(path, _load, out long nativePixels);
        return Extract(bitmap, atNativeResolution: (long)bitmap.Width * bitmap.Height >= nativePixels);
    }

    /// <summary>Features of pixels already decoded: used at the scale they have, as if the loader had reduced them.</summary>
    public ImageFeatures Extract(SKBitmap bitmap) => Extract(bitmap, atNativeResolution: false);

    /// <remarks>
    /// Colour and quality statistics are measured at half the native resolution or coarser. The finest octave is where
    /// encoders differ — JPEG quantisation drops it first — so measured there, a re-encode at quality 90 looks like noise
    /// or blur: on a 320×240 camera it moved the noise estimate by 1.1 grey levels and flagged 38 of 60 re-encoded frames.
    /// Images with a short side of 512 or more already decode at ½ or less; those from 192 to 511 are averaged 2×2 here. The CNN
    /// and the edge map keep every pixel.
    /// </remarks>
    private ImageFeatures Extract(SKBitmap bitmap, bool atNativeResolution)
    {
        float[] hsv, quality;
        if (atNativeResolution && Math.Min(bitmap.Width, bitmap.Height) >= MinHalvedShortSide)
        {
            using var half = bitmap.Resize(new SKImageInfo(bitmap.Width / 2, bitmap.Height / 2, SKColorType.Rgba8888, SKAlphaType.Unpremul),
                new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear)) ?? throw new DriftException("cannot halve the image for its statistics");
            (hsv, quality) = FeatureComputer.Compute(half);
        }
        else
        {
            (hsv, quality) = FeatureComputer.Compute(bitmap);
        }
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
