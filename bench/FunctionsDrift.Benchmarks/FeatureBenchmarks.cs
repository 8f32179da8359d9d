using BenchmarkDotNet.Attributes;
using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Images;
using SkiaSharp;

namespace FunctionsDrift.Benchmarks;

/// <summary>The colour and quality features of a decoded frame, and the whole no-CNN extraction from JPEG bytes.</summary>
[MemoryDiagnoser]
public class FeatureBenchmarks
{
    private byte[] _jpeg = [];
    private SKBitmap? _decoded;
    private readonly FeatureExtractor _noCnn = new(null);

    [GlobalSetup]
    public void Setup()
    {
        using var frame = BenchImages.Frame();
        _jpeg = BenchImages.Encode(frame, SKEncodedImageFormat.Jpeg);
        _decoded = ImageLoader.Decode(_jpeg, ImageLoadOptions.Scoring);
    }

    [GlobalCleanup]
    public void Cleanup() => _decoded?.Dispose();

    [Benchmark(Baseline = true, Description = "HSV histograms + quality statistics (decoded frame)")]
    public float[] ColourAndQuality() => FeatureComputer.Compute(_decoded!).Quality;

    [Benchmark(Description = "edge map for the view detector (decoded frame)")]
    public float[] EdgeMapOnly() => EdgeMap.Compute(_decoded!);

    [Benchmark(Description = "decode + features, no CNN (JPEG bytes)")]
    public float[] DecodeAndFeatures() => _noCnn.Extract(_jpeg).Quality;
}
