using FunctionsDrift.Core.Augmentation;
using SkiaSharp;

namespace FunctionsDrift.Core.Tests.Augmentation;

public sealed class DriftKindsTests
{
    [Fact]
    public void DriftKinds_NamesRoundTrip()
    {
        Assert.Equal(11, DriftKinds.All.Count);
        foreach (var kind in DriftKinds.All)
        {
            Assert.True(DriftKinds.TryParse(kind.Name, out var parsed));
            Assert.Equal(kind, parsed);
            Assert.True(DriftKinds.TryParse(kind.Name.Replace("-", "").ToUpperInvariant(), out parsed)); // PascalCase, any case
            Assert.Equal(kind, parsed);
        }
        Assert.True(DriftKinds.TryParse(" Sun_Flare ", out var sun));
        Assert.Equal(DriftKind.SunFlare, sun);
        Assert.False(DriftKinds.TryParse("fog", out _));
        Assert.Contains("channel-shuffle", DriftKinds.ValidNames);
    }

    [Fact]
    public void SeedMixer_IsStableAndSpreadsIndices()
    {
        // Fixed values: changing the mix would silently change every generated data set.
        Assert.Equal(SeedMixer.Mix(42, 0), SeedMixer.Mix(42, 0));
        var values = Enumerable.Range(0, 1000).Select(i => SeedMixer.Mix(42, i)).ToHashSet();
        Assert.Equal(1000, values.Count);
        Assert.NotEqual(SeedMixer.Mix(1, 5), SeedMixer.Mix(2, 5));
        Assert.All(values, v => Assert.True(v >= 0));
    }

    [Fact]
    public void DriftGallery_RendersOriginalEveryKindAndThreePastes()
    {
        using var source = Synth.Pattern(96, 72);
        using var generator = new DriftGenerator();
        var tiles = DriftGallery.Render(source, generator, seed: 7);
        try
        {
            Assert.Equal(1 + 10 + 3, tiles.Count);
            Assert.Equal("original", tiles[0].Title);
            Assert.Null(tiles[0].Kind);
            foreach (var kind in DriftKinds.All)
            {
                Assert.Contains(tiles, t => t.Kind == kind);
            }
            Assert.Equal(3, tiles.Count(t => t.Kind == DriftKind.ObjectPaste));

            using var noFont = DriftGallery.Compose(tiles, thumbWidth: 48, columns: 4, typeface: null);
            Assert.Equal(10 + 4 * 58, noFont.Width);
            Assert.Equal(10 + 4 * (36 + 10), noFont.Height);
            using var png = DriftGallery.EncodePng(noFont);
            using var decoded = SKBitmap.Decode(png);
            Assert.Equal(noFont.Width, decoded.Width);

            using var typeface = DriftGallery.TryLoadTypeface(DriftGallery.DefaultFontPath);
            if (typeface is not null)
            {
                using var captioned = DriftGallery.Compose(tiles, thumbWidth: 160, columns: 5, typeface: typeface);
                Assert.True(captioned.Height > 10 + 3 * (120 + 10));
            }
            Assert.Null(DriftGallery.TryLoadTypeface("/nonexistent/font.ttf"));
        }
        finally
        {
            tiles.ForEach(t => t.Dispose());
        }
    }
}
