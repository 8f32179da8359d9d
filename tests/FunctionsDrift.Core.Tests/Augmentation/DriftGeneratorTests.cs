using System.Globalization;
using System.Text.RegularExpressions;
using FunctionsDrift.Core.Augmentation;
using SkiaSharp;
using static FunctionsDrift.Testing.Synth;

namespace FunctionsDrift.Core.Tests.Augmentation;

public sealed class DriftGeneratorTests
{
    public static TheoryData<DriftKind> AllKinds => new(DriftKinds.All);

    /// <summary>Kinds whose output depends on the random draw (the others are fixed functions of the image).</summary>
    public static TheoryData<DriftKind> RandomKinds => new(DriftKinds.All.Except([DriftKind.VerticalFlip, DriftKind.Invert, DriftKind.Grayscale]));

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void DriftGenerator_EveryKindChangesImageAndKeepsSize(DriftKind kind)
    {
        using var source = Pattern();
        using var generator = new DriftGenerator();
        using var result = generator.Apply(source, kind, new Random(3));

        Assert.Equal(kind, result.Kind);
        Assert.Equal(source.Width, result.Image.Width);
        Assert.Equal(source.Height, result.Image.Height);
        Assert.Equal(SKColorType.Rgba8888, result.Image.ColorType);
        Assert.Equal(SKAlphaType.Unpremul, result.Image.AlphaType);
        Assert.False(string.IsNullOrWhiteSpace(result.Parameters));
        double diff = MeanAbsDiff(source, result.Image);
        Assert.True(diff > 1.5, $"{kind} changed the image by only {diff:0.00} on average");
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void DriftGenerator_OddSizesKeepTheirSize(DriftKind kind)
    {
        using var source = Pattern(37, 23, seed: 5);
        using var generator = new DriftGenerator();
        using var result = generator.Apply(source, kind, new Random(11));
        Assert.Equal((37, 23), (result.Image.Width, result.Image.Height));
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void DriftGenerator_SameSeedGivesIdenticalBytes(DriftKind kind)
    {
        using var source = Pattern();
        using var generator = new DriftGenerator();
        using var a = generator.Apply(source, kind, new Random(1234));
        using var b = generator.Apply(source, kind, new Random(1234));
        Assert.Equal(a.Parameters, b.Parameters);
        Assert.Equal(Bytes(a.Image), Bytes(b.Image));
    }

    [Theory]
    [MemberData(nameof(RandomKinds))]
    public void DriftGenerator_DifferentSeedGivesDifferentBytes(DriftKind kind)
    {
        using var source = Pattern();
        using var generator = new DriftGenerator();
        using var a = generator.Apply(source, kind, new Random(1));
        var first = Bytes(a.Image);
        // Channel shuffle has only five outcomes, so allow a few seeds to find a different one.
        bool different = false;
        for (int seed = 2; seed < 8 && !different; seed++)
        {
            using var b = generator.Apply(source, kind, new Random(seed));
            different = !first.AsSpan().SequenceEqual(Bytes(b.Image));
        }
        Assert.True(different, $"{kind} gave the same bytes for seeds 1..7");
    }

    [Fact]
    public void DriftGenerator_VerticalFlipIsExact()
    {
        using var source = Pattern(41, 31);
        using var generator = new DriftGenerator();
        using var result = generator.Apply(source, DriftKind.VerticalFlip, new Random(0));
        var src = Bytes(source);
        var dst = Bytes(result.Image);
        int stride = 41 * 4;
        for (int y = 0; y < 31; y++)
        {
            Assert.True(src.AsSpan(y * stride, stride).SequenceEqual(dst.AsSpan((30 - y) * stride, stride)), $"row {y}");
        }
    }

    [Fact]
    public void DriftGenerator_InvertTwiceIsIdentity()
    {
        using var source = Pattern();
        using var generator = new DriftGenerator();
        using var once = generator.Apply(source, DriftKind.Invert, new Random(0));
        using var twice = generator.Apply(once.Image, DriftKind.Invert, new Random(0));
        var src = Bytes(source);
        var inv = Bytes(once.Image);
        for (int i = 0; i < src.Length; i++)
        {
            Assert.Equal(i % 4 == 3 ? src[i] : 255 - src[i], inv[i]);
        }
        Assert.Equal(src, Bytes(twice.Image));
    }

    [Fact]
    public void DriftGenerator_GrayscaleHasEqualChannels()
    {
        using var source = Pattern();
        using var generator = new DriftGenerator();
        using var result = generator.Apply(source, DriftKind.Grayscale, new Random(0));
        var px = Bytes(result.Image);
        var src = Bytes(source);
        for (int i = 0; i < px.Length; i += 4)
        {
            Assert.Equal(px[i], px[i + 1]);
            Assert.Equal(px[i], px[i + 2]);
            double luma = 0.299 * src[i] + 0.587 * src[i + 1] + 0.114 * src[i + 2];
            Assert.InRange(px[i], luma - 2, luma + 2);
        }
    }

    [Fact]
    public void DriftGenerator_ChannelShuffleIsNonIdentityPermutation()
    {
        using var source = Pattern();
        using var generator = new DriftGenerator();
        var src = Bytes(source);
        var seen = new HashSet<string>();
        for (int seed = 0; seed < 40; seed++)
        {
            using var result = generator.Apply(source, DriftKind.ChannelShuffle, new Random(seed));
            var dst = Bytes(result.Image);
            var order = Regex.Match(result.Parameters, "order=([RGB]{3})").Groups[1].Value;
            Assert.Equal(3, order.Distinct().Count());
            Assert.NotEqual("RGB", order);
            seen.Add(order);
            for (int i = 0; i < src.Length; i += 4)
            {
                for (int c = 0; c < 3; c++)
                {
                    Assert.Equal(src[i + "RGB".IndexOf(order[c])], dst[i + c]);
                }
                Assert.Equal(src[i + 3], dst[i + 3]);
            }
        }
        Assert.Equal(5, seen.Count);
    }

    [Fact]
    public void DriftGenerator_ObjectPasteCoversTheAreaRangeAndSmallPastesHappen()
    {
        using var source = Solid(200, 150, new SKColor(20, 90, 160));
        using var photo = Pattern(90, 60, seed: 9);
        using var synthetic = new DriftGenerator();
        using var withPhoto = new DriftGenerator([photo], ["scene.png"]);
        var sizes = new List<double>();
        foreach (var generator in new[] { synthetic, withPhoto })
        {
            for (int seed = 0; seed < 40; seed++)
            {
                using var result = generator.Apply(source, DriftKind.ObjectPaste, new Random(seed));
                double reported = double.Parse(Regex.Match(result.Parameters, @"size=([\d.]+)%").Groups[1].Value, CultureInfo.InvariantCulture) / 100;
                Assert.InRange(reported, DriftGenerator.MinObjectArea - 0.005, DriftGenerator.MaxObjectArea + 0.005);
                double changed = ChangedFraction(source, result.Image);
                Assert.InRange(changed, 0.015, 0.42);
                sizes.Add(reported);
            }
        }
        Assert.Contains(sizes, s => s < 0.06);
        Assert.Contains(sizes, s => s > 0.2);
        Assert.Contains("object=scene.png", withPhoto.Apply(source, DriftKind.ObjectPaste, new Random(1)).Parameters);
    }

    [Theory]
    [InlineData(0.04)]
    [InlineData(0.12)]
    [InlineData(0.30)]
    public void DriftGenerator_PasteObjectCoversTheRequestedArea(double area)
    {
        using var source = Solid(240, 180, new SKColor(20, 90, 160));
        using var photo = Pattern(120, 80, seed: 4);
        using var generator = new DriftGenerator([photo], ["scene.png"]);
        for (int seed = 0; seed < 5; seed++)
        {
            using var result = generator.PasteObject(source, new Random(seed), area);
            double changed = ChangedFraction(source, result.Image, threshold: 4);
            Assert.InRange(changed, area * 0.75, area * 1.25);
        }
    }

    [Fact]
    public void DriftGenerator_PasteObjectOutsideTheFrameStaysUnchanged()
    {
        using var source = Pattern(200, 150);
        using var generator = new DriftGenerator();
        using var result = generator.PasteObject(source, new Random(2), 0.05);
        var m = Regex.Match(result.Parameters, @"at \((\d+),(\d+)\) box=(\d+)x(\d+)");
        Assert.True(m.Success, result.Parameters);
        int x = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), y = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        int w = int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture), h = int.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture);
        var src = Bytes(source);
        var dst = Bytes(result.Image);
        for (int py = 0; py < 150; py++)
        {
            for (int px = 0; px < 200; px++)
            {
                if (px >= x && px < x + w && py >= y && py < y + h)
                {
                    continue;
                }
                int i = (py * 200 + px) * 4;
                Assert.True(src.AsSpan(i, 4).SequenceEqual(dst.AsSpan(i, 4)), $"pixel ({px},{py}) outside the box changed");
            }
        }
    }

    [Fact]
    public void DriftGenerator_ParametersAreInTheDocumentedRanges()
    {
        using var source = Pattern();
        using var generator = new DriftGenerator();
        for (int seed = 0; seed < 25; seed++)
        {
            using var down = generator.Apply(source, DriftKind.Downscale, new Random(seed));
            Assert.InRange(Number(down.Parameters, "scale"), 0.15, 0.40);
            using var noise = generator.Apply(source, DriftKind.GaussianNoise, new Random(seed));
            Assert.InRange(Number(noise.Parameters, "sigma"), 15, 40);
            using var jitter = generator.Apply(source, DriftKind.ColorJitter, new Random(seed));
            Assert.InRange(Math.Abs(Number(jitter.Parameters, "brightness") - 1), 0.195, 0.405);
            Assert.InRange(Math.Abs(Number(jitter.Parameters, "hue")), 15, 45);
        }
    }

    [Fact]
    public void DriftGenerator_PremultipliedAndOtherFormatsAreAccepted()
    {
        using var source = Pattern(64, 48);
        using var bgra = source.Copy(SKColorType.Bgra8888);
        using var generator = new DriftGenerator();
        using var a = generator.Apply(source, DriftKind.Invert, new Random(0));
        using var b = generator.Apply(bgra, DriftKind.Invert, new Random(0));
        Assert.Equal(Bytes(a.Image), Bytes(b.Image));
    }

    private static double Number(string parameters, string key) =>
        double.Parse(Regex.Match(parameters, key + @"=([+-]?[\d.]+)").Groups[1].Value, CultureInfo.InvariantCulture);
}
