using BenchmarkDotNet.Attributes;
using FunctionsDrift.Core.Images;

namespace FunctionsDrift.Benchmarks;

/// <summary>Decoding a 768×576 frame: JPEG at the reduced scale scoring uses, against a full-size JPEG and a streamed PNG.</summary>
[MemoryDiagnoser]
public class DecodeBenchmarks
{
    private byte[] _jpeg = [], _png = [];

    [GlobalSetup]
    public void Setup()
    {
        using var frame = BenchImages.Frame();
        _jpeg = BenchImages.Encode(frame, SkiaSharp.SKEncodedImageFormat.Jpeg);
        _png = BenchImages.Encode(frame, SkiaSharp.SKEncodedImageFormat.Png);
    }

    [Benchmark(Baseline = true, Description = "JPEG, reduced scale (scoring)")]
    public int JpegScoring()
    {
        using var bitmap = ImageLoader.Decode(_jpeg, ImageLoadOptions.Scoring);
        return bitmap.Width;
    }

    [Benchmark(Description = "JPEG, full size")]
    public int JpegFullSize()
    {
        using var bitmap = ImageLoader.Decode(_jpeg, ImageLoadOptions.Default);
        return bitmap.Width;
    }

    [Benchmark(Description = "PNG, streamed and block-averaged (scoring)")]
    public int PngScoring()
    {
        using var bitmap = ImageLoader.Decode(_png, ImageLoadOptions.Scoring);
        return bitmap.Width;
    }
}
