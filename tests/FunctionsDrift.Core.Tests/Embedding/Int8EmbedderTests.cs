using System.Numerics.Tensors;
using FunctionsDrift.Core.Embedding;
using FunctionsDrift.Core.Images;
using Microsoft.ML.OnnxRuntime;
using SkiaSharp;
using Xunit.Abstractions;

namespace FunctionsDrift.Core.Tests;

/// <summary>The INT8 ResNet18 made by <see cref="Int8Quantizer"/>, against the FP32 model it comes from.</summary>
[Collection(EmbedderCollection.Name)]
public sealed class Int8EmbedderTests(EmbedderFixture fixture, ITestOutputHelper output)
{
    private static readonly ModelManifest Int8Manifest = ModelManifest.Load(ModelManifest.PathFor(EmbedderPrecision.Int8));

    private static readonly Lazy<OnnxEmbedder> Int8 = new(() => new OnnxEmbedder(Int8Manifest, new EmbedderOptions { IntraOpThreads = 1 }));

    /// <summary>Real street frames when the benchmark frames exist (scripts/make-benchmark.sh), and synthetic scenes always.</summary>
    private static List<SKBitmap> TestImages()
    {
        var images = new List<SKBitmap>();
        var frames = Path.Combine(OnnxEmbedderTests.RepoRoot(), ".cache", "frames");
        foreach (var n in new[] { 50, 150, 300, 450, 600, 750 })
        {
            var path = Path.Combine(frames, $"f_{n:0000}.jpg");
            if (File.Exists(path)) images.Add(ImageLoader.LoadFile(path, ImageLoadOptions.Scoring));
        }
        images.AddRange(Enumerable.Range(40, 6).Select(s => Synth.Scene(s, 320, 240)));
        images.Add(Synth.OtherScene(41, 320, 240));
        return images;
    }

    [Fact]
    public void Int8Quantizer_ReproducesPinnedSha256()
    {
        // Make() refuses bytes whose hash differs from the manifest; making it twice shows nothing depends on state.
        var first = QuantizedModelFile.Make(Int8Manifest);
        var second = QuantizedModelFile.Make(Int8Manifest);
        Assert.Equal(Int8Manifest.Sha256, QuantizedModelFile.Sha256Of(first));
        Assert.Equal(first, second);
        Assert.InRange(first.Length, 10_000_000, 20_000_000); // a quarter of the 63 MB FP32 file
    }

    [Fact]
    public void Int8Quantizer_RefusesChangedRanges()
    {
        var ranges = ActivationRanges.Load(Int8Manifest.ResolveRelative(Int8Manifest.ActivationRanges!));
        var changed = ranges with { Ranges = [.. ranges.Ranges.Select((r, i) => i == 3 ? r with { Max = r.Max * 1.01 } : r)] };
        var dir = Directory.CreateTempSubdirectory("drift-int8-").FullName;
        try
        {
            var path = Path.Combine(dir, "ranges.json");
            changed.Save(path);
            var manifest = Int8Manifest with { ActivationRanges = path };
            var e = Assert.Throws<DriftException>(() => QuantizedModelFile.Make(manifest));
            Assert.Contains("expects " + Int8Manifest.Sha256, e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Int8Embedder_HasItsOwnIdentity()
    {
        Assert.Equal("fp32", fixture.Embedder.Manifest.Precision);
        Assert.Equal("int8", Int8.Value.Manifest.Precision);
        Assert.NotEqual(fixture.Embedder.Manifest.Identity, Int8.Value.Manifest.Identity);
        Assert.Equal(EmbedderPrecision.Int8, ModelManifest.PrecisionOfIdentity(Int8.Value.Manifest.Identity));
        Assert.Equal(EmbedderPrecision.Fp32, ModelManifest.PrecisionOfIdentity(fixture.Embedder.Manifest.Identity));
    }

    [Fact]
    public void Int8Embedder_EmbeddingAndFeatureMapsAgreeWithFp32()
    {
        var fp32 = fixture.Embedder;
        var int8 = Int8.Value;
        Assert.Equal(fp32.FeatureMapShapes, int8.FeatureMapShapes);
        var worstMap = new double[fp32.FeatureMapShapes.Count];
        Array.Fill(worstMap, 1.0);
        double worst = 1, sum = 0;
        var images = TestImages();
        foreach (var image in images)
        {
            using (image)
            {
                float[] e32 = new float[512], e8 = new float[512];
                float[] m32 = new float[fp32.FeatureMapLength], m8 = new float[int8.FeatureMapLength];
                fp32.Embed(image, e32, m32);
                int8.Embed(image, e8, m8);
                double cos = TensorPrimitives.CosineSimilarity(e32, e8);
                worst = Math.Min(worst, cos);
                sum += cos;
                int offset = 0;
                for (int i = 0; i < fp32.FeatureMapShapes.Count; i++)
                {
                    int n = fp32.FeatureMapShapes[i].Length;
                    worstMap[i] = Math.Min(worstMap[i], TensorPrimitives.CosineSimilarity(m32.AsSpan(offset, n), m8.AsSpan(offset, n)));
                    offset += n;
                }
            }
        }
        output.WriteLine($"{images.Count} images: embedding cosine mean {sum / images.Count:0.0000}, min {worst:0.0000}; " +
                         $"feature maps min {string.Join(", ", worstMap.Select((c, i) => $"{fp32.FeatureMapShapes[i].Name} {c:0.0000}"))}");
        Assert.True(worst >= 0.99, $"embedding cosine {worst}");
        Assert.All(worstMap, c => Assert.True(c >= 0.98, $"feature map cosines {string.Join(", ", worstMap)}"));
    }

    [Fact]
    public void Int8Model_OptimizedGraphRunsQLinearConv()
    {
        var path = QuantizedModelFile.Ensure(Int8Manifest);
        var optimized = Path.Combine(Directory.CreateTempSubdirectory("drift-int8-opt-").FullName, "optimized.onnx");
        try
        {
            using (var so = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, OptimizedModelFilePath = optimized, IntraOpNumThreads = 1 })
            using (new InferenceSession(path, so))
            {
            }
            var graph = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(optimized)).Graph;
            var counts = graph.Node.GroupBy(n => n.OpType).ToDictionary(g => g.Key, g => g.Count());
            output.WriteLine(string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value}")));
            // All 22 convolutions fused to integer kernels, none left in float.
            Assert.Equal(22, counts.GetValueOrDefault("QLinearConv"));
            Assert.Equal(9, counts.GetValueOrDefault("QLinearAdd"));
            Assert.DoesNotContain(counts.Keys, op => op is "Conv" or "FusedConv" || op.StartsWith("Conv", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(optimized)!, recursive: true);
        }
    }
}
