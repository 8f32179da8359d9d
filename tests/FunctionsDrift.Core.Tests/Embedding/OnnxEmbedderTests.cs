using System.Numerics.Tensors;
using FunctionsDrift.Core.Embedding;
using SkiaSharp;

namespace FunctionsDrift.Core.Tests;

[Collection(EmbedderCollection.Name)]
public sealed class OnnxEmbedderTests(EmbedderFixture fixture) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("drift-embed-").FullName;
    private OnnxEmbedder Embedder => fixture.Embedder;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private float[] Embed(SKBitmap b)
    {
        var e = new float[Embedder.Dimension];
        Embedder.Embed(b, e);
        return e;
    }

    private static double Cosine(float[] a, float[] b) => TensorPrimitives.CosineSimilarity(a, b);

    /// <summary>Ten varied 224×224 synthetic pictures plus, when present, real street frames resized to 224×224.</summary>
    private List<string> WriteParityImages()
    {
        var bitmaps = new List<SKBitmap>
        {
            Synth.Gradient(224, 224),
            Synth.Gradient(224, 224, blue: 230),
            Synth.Checkerboard(224, 224, 28, new SKColor(230, 40, 30), new SKColor(20, 30, 200)),
            Synth.Checkerboard(224, 224, 7, SKColors.White, SKColors.Black),
            Synth.Scene(1, 224, 224),
            Synth.Scene(2, 224, 224, noise: 25),
            Synth.OtherScene(3, 224, 224),
            Synth.Solid(224, 224, new SKColor(200, 120, 40)),
        };
        var noise = Synth.Solid(224, 224, new SKColor(128, 128, 128));
        Synth.AddNoise(noise, 60, new Random(5));
        bitmaps.Add(noise);
        var shapes = Synth.Solid(224, 224, new SKColor(30, 140, 60));
        Synth.FillRect(shapes, new SKRectI(20, 30, 120, 90), new SKColor(250, 220, 20));
        Synth.FillRect(shapes, new SKRectI(100, 120, 200, 210), new SKColor(150, 20, 160));
        bitmaps.Add(shapes);

        var frames = Path.Combine(RepoRoot(), ".cache", "frames");
        foreach (var name in new[] { "f_0001.jpg", "f_0200.jpg", "f_0400.jpg", "f_0600.jpg" })
        {
            var path = Path.Combine(frames, name);
            if (!File.Exists(path)) continue;
            using var full = SKBitmap.Decode(path);
            var small = Synth.New(224, 224);
            full.ScalePixels(small, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
            bitmaps.Add(small);
        }

        var files = new List<string>();
        for (int i = 0; i < bitmaps.Count; i++)
        {
            var path = Path.Combine(_dir, $"p{i:00}.png");
            Synth.Save(bitmaps[i], path);
            bitmaps[i].Dispose();
            files.Add(path);
        }
        return files;
    }

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Directory.Packages.props"))) dir = dir.Parent;
        return dir?.FullName ?? AppContext.BaseDirectory;
    }

    [Fact]
    public void OnnxEmbedder_MatchesMlNetDnnFeaturizer()
    {
        var files = WriteParityImages();
        Assert.True(files.Count >= 10);

        var mlnet = MlNetReference.Featurize(files);

        Assert.Equal(files.Count, mlnet.Count);
        var worst = new List<string>();
        for (int i = 0; i < files.Count; i++)
        {
            using var bitmap = SKBitmap.Decode(files[i]).Copy(SKColorType.Rgba8888);
            var ours = new float[Embedder.Dimension];
            Embedder.EmbedExact(bitmap, ours);
            Assert.Equal(512, mlnet[i].Length);
            double cos = Cosine(ours, mlnet[i]);
            worst.Add($"{Path.GetFileName(files[i])}: {cos:0.000000}");
            Assert.True(cos >= 0.999, $"cosine {cos} for {files[i]}; all: {string.Join(", ", worst)}");
        }
    }

    [Fact]
    public void OnnxEmbedder_IsDeterministic()
    {
        using var a = Synth.Scene(11, 320, 240);
        var first = Embed(a);
        var second = Embed(a);
        Assert.Equal(first, second);
        Assert.Contains(first, v => v != 0);
        Assert.All(first, v => Assert.True(float.IsFinite(v)));
        // A different picture gives a different embedding.
        using var b = Synth.OtherScene(11, 320, 240);
        Assert.True(Cosine(first, Embed(b)) < 0.95);
    }

    [Fact]
    public void OnnxEmbedder_EmbedOfExactSizeMatchesEmbedExact()
    {
        using var a = Synth.Scene(12, 224, 224);
        var exact = new float[512];
        Embedder.EmbedExact(a, exact);
        Assert.True(Cosine(exact, Embed(a)) > 0.9999);
    }

    [Fact]
    public void OnnxEmbedder_EmbedExactRefusesOtherSizes()
    {
        using var a = Synth.Scene(12, 200, 224);
        Assert.Throws<ArgumentException>(() => Embedder.EmbedExact(a, new float[512]));
    }

    [Fact]
    public void OnnxEmbedder_StretchUsesTheWholeFrame()
    {
        using var a = Synth.Scene(13, 320, 240);
        using var b = a.Copy();
        // Change only the outer 10 % on the left and right: outside a centre square crop.
        Synth.FillRect(b, new SKRectI(0, 0, 32, 240), new SKColor(250, 0, 200));
        Synth.FillRect(b, new SKRectI(288, 0, 320, 240), new SKColor(0, 250, 250));

        double stretched = Cosine(Embed(a), Embed(b));
        Assert.Equal("stretch", Embedder.Manifest.Resize);
        Assert.True(stretched < 0.98, $"stretch cosine {stretched}");

        // Control: a centre-crop embedder does not see the strips, so the test really isolates the edges.
        using var crop = new OnnxEmbedder(Embedder.Manifest with { Resize = "center-crop" }, new EmbedderOptions { IntraOpThreads = 1 });
        var ca = new float[512];
        var cb = new float[512];
        crop.Embed(a, ca);
        crop.Embed(b, cb);
        double cropped = Cosine(ca, cb);
        Assert.True(cropped > 0.9999, $"centre-crop cosine {cropped}");
    }

    [Fact]
    public void OnnxEmbedder_IsThreadSafe()
    {
        using var a = Synth.Scene(14);
        var expected = Embed(a);
        var results = new float[8][];
        Parallel.For(0, results.Length, i =>
        {
            results[i] = new float[512];
            Embedder.Embed(a, results[i]);
        });
        // Concurrent runs may split ONNX Runtime's reductions differently: equal up to float rounding.
        Assert.All(results, r => Assert.True(Cosine(expected, r) > 0.99999));
    }
}
