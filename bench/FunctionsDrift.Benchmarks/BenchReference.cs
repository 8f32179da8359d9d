using FunctionsDrift.Core.Embedding;
using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Model;
using SkiaSharp;

namespace FunctionsDrift.Benchmarks;

/// <summary>
/// Real features for the detector benchmarks: ResNet18 (FP32, ONNX Runtime) embeddings and patch descriptors of
/// near-duplicate frames (the benchmark frame shifted by up to 15 px) as the reference, and of one more frame to score.
/// Made once per process, not timed.
/// </summary>
internal static class BenchReference
{
    public const int ReferenceImages = 40;

    private static readonly Lazy<(IReadOnlyList<ImageFeatures> Reference, ImageFeatures Test, string Identity)> Features = new(Extract);

    public static IReadOnlyList<ImageFeatures> Reference => Features.Value.Reference;

    public static ImageFeatures Test => Features.Value.Test;

    public static ReferenceModel Fit() => ReferenceFitter.Fit(Reference, Features.Value.Identity);

    private static (IReadOnlyList<ImageFeatures>, ImageFeatures, string) Extract()
    {
        var manifest = ModelManifest.Load(ModelManifest.PathFor(EmbedderPrecision.Fp32));
        using var embedder = new OnnxEmbedder(manifest, new EmbedderOptions { IntraOpThreads = 0 });
        var extractor = new FeatureExtractor(embedder);
        using var frame = BenchImages.Frame();
        var rng = new Random(7);
        var reference = new List<ImageFeatures>();
        for (int i = 0; i < ReferenceImages; i++)
        {
            reference.Add(ExtractShifted(extractor, frame, rng.Next(16), rng.Next(16)));
        }
        return (reference, ExtractShifted(extractor, frame, 15, 0), extractor.ModelIdentity);
    }

    private static ImageFeatures ExtractShifted(FeatureExtractor extractor, SKBitmap frame, int dx, int dy)
    {
        using var shifted = BenchImages.Shifted(frame, dx, dy);
        // Through JPEG, as a camera's frames arrive.
        return extractor.Extract(BenchImages.Encode(shifted, SKEncodedImageFormat.Jpeg));
    }
}
