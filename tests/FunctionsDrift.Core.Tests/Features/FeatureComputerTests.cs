using FunctionsDrift.Core.Features;
using SkiaSharp;

namespace FunctionsDrift.Core.Tests;

public sealed class FeatureComputerTests
{
    private const int Bins = ColorFeatures.Bins;
    private static int Q(string name) => Array.IndexOf(QualityFeatures.Names, name);

    private static (float[] Hsv, float[] Quality) Compute(SKBitmap b) => FeatureComputer.Compute(b);

    [Fact]
    public void FeatureComputer_PureRedHistogram()
    {
        using var red = Synth.Solid(64, 48, new SKColor(255, 0, 0));
        var (hsv, _) = Compute(red);
        Assert.Equal(1f, hsv[0], 5);                 // all hue mass in bin 0
        Assert.Equal(1f, hsv[Bins + Bins - 1], 5);   // fully saturated
        Assert.Equal(1f, hsv[2 * Bins + Bins - 1], 5); // value in the top bin
    }

    [Theory]
    [InlineData(0, 255, 0, 10)]  // hue 1/3
    [InlineData(0, 0, 255, 21)]  // hue 2/3
    public void FeatureComputer_PrimaryHuesLandInTheirBins(byte r, byte g, byte b, int bin)
    {
        using var image = Synth.Solid(32, 32, new SKColor(r, g, b));
        Assert.Equal(1f, Compute(image).Hsv[bin], 5);
    }

    [Fact]
    public void FeatureComputer_HistogramChannelsSumToOne()
    {
        using var scene = Synth.Scene(1, 161, 97); // odd sizes: the sampling grid does not divide evenly
        var (hsv, _) = Compute(scene);
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(1.0, hsv.AsSpan(c * Bins, Bins).ToArray().Sum(), 4);
        }
        Assert.True(hsv.Count(v => v > 0) > 6, "a real scene spreads over several bins");
    }

    [Fact]
    public void FeatureComputer_BrightnessAndContrastOfFlatGrey()
    {
        using var grey = Synth.Solid(50, 40, new SKColor(128, 128, 128));
        var (_, q) = Compute(grey);
        Assert.Equal(128 / 255f, q[Q("brightness")], 3);
        Assert.Equal(0f, q[Q("contrast")], 3);
        Assert.Equal(0f, q[Q("noise")], 3);

        using var board = Synth.Checkerboard(64, 64, 8, SKColors.Black, SKColors.White);
        var (_, qb) = Compute(board);
        Assert.Equal(0.5f, qb[Q("brightness")], 2);
        Assert.Equal(0.5f, qb[Q("contrast")], 2); // std of a half-black, half-white image is half the range
        Assert.Equal(0.5f, qb[Q("dark_fraction")], 2);
        Assert.Equal(0.5f, qb[Q("bright_fraction")], 2);
    }

    [Fact]
    public void FeatureComputer_BlurLowersSharpness()
    {
        using var sharp = Synth.Scene(2, 160, 120, noise: 0);
        using var blurred = Synth.Blur(sharp, 2.5f);
        var qs = Compute(sharp).Quality;
        var qb = Compute(blurred).Quality;
        Assert.True(qb[Q("sharpness")] < qs[Q("sharpness")] - 0.5, $"sharpness {qs[Q("sharpness")]} → {qb[Q("sharpness")]}");
        Assert.True(qb[Q("high_freq_ratio")] < qs[Q("high_freq_ratio")]);
    }

    [Fact]
    public void FeatureComputer_NoiseRaisesNoiseEstimate()
    {
        using var clean = Synth.Scene(3, 160, 120, noise: 0);
        using var noisy = clean.Copy();
        Synth.AddNoise(noisy, 20, new Random(1));
        float before = Compute(clean).Quality[Q("noise")];
        float after = Compute(noisy).Quality[Q("noise")];
        Assert.True(after > before + 5, $"noise {before} → {after}");
        // Immerkær's estimate is calibrated in 0–255 units; with clipping and luma mixing, σ=20 per channel reads roughly 10–25.
        Assert.InRange(after, 8, 30);
    }

    [Fact]
    public void FeatureComputer_VerticalFlipReversesTopBottom()
    {
        using var scene = Synth.Scene(4, 160, 120, noise: 0);
        using var flipped = Synth.FlipVertical(scene);
        var q = Compute(scene).Quality;
        var f = Compute(flipped).Quality;
        foreach (var name in new[] { "top_bottom_luma", "top_bottom_edges" })
        {
            float a = q[Q(name)], b = f[Q(name)];
            Assert.True(Math.Abs(a) > 0.02, $"{name} {a} is not asymmetric enough to test");
            Assert.True(Math.Sign(a) == -Math.Sign(b), $"{name}: {a} vs flipped {b}");
            Assert.Equal(Math.Abs(a), Math.Abs(b), 0.25 * Math.Abs(a));
        }
        Assert.Equal(q[Q("brightness")], f[Q("brightness")], 3);
    }

    [Fact]
    public void FeatureComputer_GrayscaleHasNoColour()
    {
        using var scene = Synth.Scene(5, 160, 120);
        using var grey = Synth.Grayscale(scene);
        var q = Compute(scene).Quality;
        var g = Compute(grey).Quality;
        Assert.True(q[Q("colourfulness")] > 0.1 && q[Q("saturation")] > 0.1);
        Assert.True(g[Q("colourfulness")] < 0.005, $"colourfulness {g[Q("colourfulness")]}");
        Assert.True(g[Q("saturation")] < 0.005, $"saturation {g[Q("saturation")]}");
    }

    [Fact]
    public void QualityFeatures_NamedIndicesFollowTheNames()
    {
        (int Index, string Name)[] named =
        [
            (QualityFeatures.Brightness, "brightness"), (QualityFeatures.Contrast, "contrast"), (QualityFeatures.Colourfulness, "colourfulness"),
            (QualityFeatures.Saturation, "saturation"), (QualityFeatures.Sharpness, "sharpness"), (QualityFeatures.Noise, "noise"),
            (QualityFeatures.EdgeDensity, "edge_density"), (QualityFeatures.EdgeBalance, "edge_balance"), (QualityFeatures.DarkFraction, "dark_fraction"),
            (QualityFeatures.BrightFraction, "bright_fraction"), (QualityFeatures.HighFreqRatio, "high_freq_ratio"),
            (QualityFeatures.TopBottomLuma, "top_bottom_luma"), (QualityFeatures.TopBottomEdges, "top_bottom_edges"),
            (QualityFeatures.Blockiness, "blockiness"),
        ];
        Assert.Equal(QualityFeatures.Count, named.Length);
        Assert.All(named, n => Assert.Equal(n.Name, QualityFeatures.Names[n.Index]));
        Assert.Equal(QualityFeatures.Count, QualityFeatures.Floors.Length);
    }

    [Fact]
    public void PatchDescriptors_ChangeStaysNearItsGridPosition()
    {
        // Layer-2-like map 8×4×4 and layer-3-like map 8×2×2 give a 2×2 grid of (8 + 8) / 4 = 4 values.
        FunctionsDrift.Core.Embedding.FeatureMapShape[] shapes = [new("l2", 8, 4, 4), new("l3", 8, 2, 2)];
        var maps = new float[8 * 16 + 8 * 4];
        var before = new float[4 * 4];
        PatchDescriptors.Compute(maps, shapes, before);
        Assert.All(before, v => Assert.Equal(0f, v));
        // One activation in the top-left corner of layer 2, channel 0: only the top-left grid cell's first value moves.
        maps[0] = 9f;
        var after = new float[4 * 4];
        PatchDescriptors.Compute(maps, shapes, after);
        Assert.True(after[0] > 0, "the changed cell's descriptor moves");
        Assert.All(after.Skip(1), v => Assert.Equal(0f, v));
        Assert.Equal((2, 4), PatchDescriptors.Layout(shapes));
    }

    [Fact]
    public void FeatureExtractor_WithoutEmbedderHasNoEmbedding()
    {
        using var scene = Synth.Scene(7);
        var extractor = new FeatureExtractor(null);
        var f = extractor.Extract(scene);
        Assert.False(f.HasEmbedding);
        Assert.Equal("none", extractor.ModelIdentity);
        Assert.Equal((160, 120), (f.Width, f.Height));
        Assert.Equal(QualityFeatures.Count, f.Quality.Length);
    }
}
