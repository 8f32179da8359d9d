using System.Buffers;
using System.Numerics.Tensors;
using FunctionsDrift.Core.Detectors;
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

    public ImageFeatures Extract(ReadOnlySpan<byte> bytes) => FromBytes(bytes, reference: false, regionCell: null);

    public ImageFeatures ExtractFile(string path) => FromFile(path, reference: false, regionCell: null);

    /// <summary>
    /// Features for scoring against a model: as <see cref="Extract(ReadOnlySpan{byte})"/>, plus
    /// <see cref="ImageFeatures.RegionProbe"/> at the cell <paramref name="regionCell"/> picks from them (the model's
    /// <see cref="Model.ReferenceModel.RegionCell"/>; null picks none), from the same decode.
    /// </summary>
    public ImageFeatures Extract(ReadOnlySpan<byte> bytes, Func<ImageFeatures, int?>? regionCell) => FromBytes(bytes, reference: false, regionCell);

    /// <summary>As <see cref="Extract(ReadOnlySpan{byte}, Func{ImageFeatures, int?})"/>, from a file.</summary>
    public ImageFeatures ExtractFile(string path, Func<ImageFeatures, int?>? regionCell) => FromFile(path, reference: false, regionCell);

    /// <summary>As <see cref="Extract(ReadOnlySpan{byte}, Func{ImageFeatures, int?})"/>, from pixels already decoded.</summary>
    public ImageFeatures Extract(SKBitmap bitmap, Func<ImageFeatures, int?>? regionCell) => WithRegionProbe(Extract(bitmap), bitmap, regionCell);

    /// <summary>Features of pixels already decoded: used at the scale they have, as if the loader had reduced them.</summary>
    public ImageFeatures Extract(SKBitmap bitmap) => Extract(bitmap, atNativeResolution: false);

    /// <summary>How much nearer the camera <see cref="ImageFeatures.ZoomedPatch"/> shows a reference image: crops of 1/1.5 of its width and height.</summary>
    public const float ReferenceZoom = 1.5f;

    /// <summary>A reference image's features: <see cref="Extract(ReadOnlySpan{byte})"/>'s and <see cref="ImageFeatures.ZoomedPatch"/>.</summary>
    public ImageFeatures ExtractReference(ReadOnlySpan<byte> bytes) => FromBytes(bytes, reference: true, regionCell: null);

    /// <summary>A reference image's features from a file: <see cref="ExtractFile(string)"/>'s and <see cref="ImageFeatures.ZoomedPatch"/>.</summary>
    public ImageFeatures ExtractReferenceFile(string path) => FromFile(path, reference: true, regionCell: null);

    /// <summary>A reference image's features from pixels already decoded, as <see cref="Extract(SKBitmap)"/> reads them.</summary>
    public ImageFeatures ExtractReference(SKBitmap bitmap) => WithZoomedPatches(Extract(bitmap), bitmap);

    /// <summary>
    /// Embeddings of the <see cref="RegionCrop"/>s around <paramref name="cells"/> of the image's
    /// <paramref name="grid"/> × <paramref name="grid"/> patch grid, one unit-length row per cell and scale (cell by cell,
    /// each cell's scales in <see cref="RegionCrop.WidthFractions"/> order), end to end, decoded as
    /// <see cref="Extract(ReadOnlySpan{byte})"/> decodes: a reference image's crops for <see cref="Model.RegionPlan"/>.
    /// </summary>
    public float[] EmbedRegions(ReadOnlySpan<byte> bytes, int grid, IReadOnlyList<int> cells)
    {
        using var bitmap = ImageLoader.Decode(bytes, _load, out _);
        return EmbedRegions(bitmap, grid, cells);
    }

    /// <summary>As <see cref="EmbedRegions(ReadOnlySpan{byte}, int, IReadOnlyList{int})"/>, from a file.</summary>
    public float[] EmbedRegionsFile(string path, int grid, IReadOnlyList<int> cells)
    {
        using var bitmap = ImageLoader.LoadFile(path, _load, out _);
        return EmbedRegions(bitmap, grid, cells);
    }

    /// <summary>As <see cref="EmbedRegions(ReadOnlySpan{byte}, int, IReadOnlyList{int})"/>, from pixels already decoded.</summary>
    public float[] EmbedRegions(SKBitmap bitmap, int grid, IReadOnlyList<int> cells)
    {
        var embedder = Embedder ?? throw new DriftException("region crops need an embedder");
        int d = embedder.Dimension, scales = RegionCrop.WidthFractions.Count;
        var rows = new float[cells.Count * scales * d];
        for (int i = 0; i < cells.Count * scales; i++)
        {
            EmbedRegion(embedder, bitmap, RegionCrop.Around(cells[i / scales], grid, bitmap.Width, bitmap.Height, RegionCrop.WidthFractions[i % scales]), rows.AsSpan(i * d, d));
        }
        return rows;
    }

    private static void EmbedRegion(OnnxEmbedder embedder, SKBitmap bitmap, SKRectI rect, Span<float> row)
    {
        using var crop = new SKBitmap();
        if (!bitmap.ExtractSubset(crop, rect))
        {
            throw new DriftException("cannot crop the image around its most novel patch");
        }
        embedder.EmbedCrop(crop, row);
        // Unit length: the detector compares what the crop shows, not how strongly the network responds to it.
        float norm = TensorPrimitives.Norm(row);
        if (norm > 0) TensorPrimitives.Divide(row, norm, row);
    }

    private ImageFeatures FromBytes(ReadOnlySpan<byte> bytes, bool reference, Func<ImageFeatures, int?>? regionCell)
    {
        using var bitmap = ImageLoader.Decode(bytes, _load, out long nativePixels);
        return FromDecoded(bitmap, nativePixels, reference, regionCell);
    }

    private ImageFeatures FromFile(string path, bool reference, Func<ImageFeatures, int?>? regionCell)
    {
        using var bitmap = ImageLoader.LoadFile(path, _load, out long nativePixels);
        return FromDecoded(bitmap, nativePixels, reference, regionCell);
    }

    private ImageFeatures FromDecoded(SKBitmap bitmap, long nativePixels, bool reference, Func<ImageFeatures, int?>? regionCell)
    {
        var features = Extract(bitmap, atNativeResolution: (long)bitmap.Width * bitmap.Height >= nativePixels);
        return reference ? WithZoomedPatches(features, bitmap) : WithRegionProbe(features, bitmap, regionCell);
    }

    private ImageFeatures WithRegionProbe(ImageFeatures features, SKBitmap bitmap, Func<ImageFeatures, int?>? regionCell)
    {
        if (regionCell?.Invoke(features) is not { } cell) return features;
        return features with { RegionProbe = EmbedRegions(bitmap, features.PatchGrid, [cell]) };
    }

    /// <summary>
    /// The patch descriptors of the image's four corner crops at <see cref="ReferenceZoom"/>×, thinned by the greedy k-centre
    /// coreset to as many rows as the image has patches: people and cars as they look nearer the camera than the reference
    /// happened to show them, so that <c>patch</c> does not call them new.
    /// </summary>
    private ImageFeatures WithZoomedPatches(ImageFeatures features, SKBitmap bitmap)
    {
        if (Embedder is not { FeatureMapLength: > 0 } embedder || features.PatchCount == 0) return features;
        int w = (int)(bitmap.Width / ReferenceZoom), h = (int)(bitmap.Height / ReferenceZoom), length = features.Patch.Length;
        var zoomed = new float[4 * length];
        var embedding = new float[embedder.Dimension];
        for (int corner = 0; corner < 4; corner++)
        {
            using var crop = new SKBitmap();
            var rect = SKRectI.Create(corner % 2 == 0 ? 0 : bitmap.Width - w, corner / 2 == 0 ? 0 : bitmap.Height - h, w, h);
            if (!bitmap.ExtractSubset(crop, rect)) throw new DriftException("cannot crop the reference image for its zoomed patches");
            EmbedWithPatches(embedder, crop, embedding, zoomed.AsSpan(corner * length, length));
        }
        return features with { ZoomedPatch = Coreset.Select(zoomed, length / features.PatchCount, features.PatchCount) };
    }

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
                EmbedWithPatches(embedder, bitmap, embedding, patches);
            }
        }
        return new ImageFeatures(embedding, hsv, quality, patches, bitmap.Width, bitmap.Height) { PatchCount = patches.Length == 0 ? 0 : grid * grid, Edges = EdgeMap.Compute(bitmap) };
    }

    /// <summary>One CNN pass over <paramref name="image"/>: its embedding, and its patch descriptors into <paramref name="patches"/>.</summary>
    private static void EmbedWithPatches(OnnxEmbedder embedder, SKBitmap image, float[] embedding, Span<float> patches)
    {
        float[] maps = ArrayPool<float>.Shared.Rent(embedder.FeatureMapLength);
        try
        {
            var span = maps.AsSpan(0, embedder.FeatureMapLength);
            embedder.Embed(image, embedding, span);
            PatchDescriptors.Compute(span, embedder.FeatureMapShapes, patches);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(maps);
        }
    }
}
