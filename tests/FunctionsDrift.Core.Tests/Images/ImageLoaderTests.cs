using System.Diagnostics;
using System.Text;
using FunctionsDrift.Core.Images;
using SkiaSharp;

namespace FunctionsDrift.Core.Tests;

public sealed class ImageLoaderTests
{
    private static ImageDecodeException DecodeFails(byte[] bytes, ImageLoadOptions? options = null) =>
        Assert.Throws<ImageDecodeException>(() => ImageLoader.Decode(bytes, options ?? ImageLoadOptions.Default).Dispose());

    private static void AssertColour(SKColor expected, SKColor actual, int tolerance)
    {
        Assert.True(Math.Abs(expected.Red - actual.Red) <= tolerance && Math.Abs(expected.Green - actual.Green) <= tolerance &&
                    Math.Abs(expected.Blue - actual.Blue) <= tolerance, $"expected {expected}, got {actual}");
    }

    [Fact]
    public void ImageLoader_ZeroBytesIsEmpty()
    {
        Assert.Equal(ImageErrorKind.Empty, DecodeFails([]).Kind);
    }

    [Fact]
    public void ImageLoader_RandomBytesAreNotAnImage()
    {
        var bytes = new byte[4096];
        new Random(7).NextBytes(bytes);
        Assert.Equal(ImageErrorKind.NotAnImage, DecodeFails(bytes).Kind);
    }

    [Fact]
    public void ImageLoader_TextIsNotAnImage()
    {
        Assert.Equal(ImageErrorKind.NotAnImage, DecodeFails(Encoding.UTF8.GetBytes("hello, this is a CSV file\n1,2,3\n")).Kind);
    }

    [Fact]
    public void ImageLoader_TruncatedJpegIsTruncated()
    {
        using var source = Synth.Scene(3, 320, 240, noise: 10);
        var jpeg = Synth.Encode(source, SKEncodedImageFormat.Jpeg, 90);
        var half = jpeg.AsSpan(0, jpeg.Length / 2).ToArray();
        var sw = Stopwatch.StartNew();
        var e = DecodeFails(half);
        Assert.Equal(ImageErrorKind.Truncated, e.Kind);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void ImageLoader_JpegCutInsideHeaderIsTypedError()
    {
        using var source = Synth.Gradient(64, 48);
        var jpeg = Synth.Encode(source, SKEncodedImageFormat.Jpeg);
        // Every prefix must end in a typed error: never a crash, a hang or a bitmap.
        foreach (int cut in new[] { 1, 2, 3, 10, 20, 100, 300 })
        {
            var e = DecodeFails(jpeg.AsSpan(0, cut).ToArray());
            Assert.True(e.Kind is ImageErrorKind.Truncated or ImageErrorKind.NotAnImage, $"cut {cut}: {e.Kind}");
        }
    }

    [Fact]
    public void ImageLoader_TruncatedPngIsTruncated()
    {
        using var source = Synth.Scene(4, 200, 150, noise: 20);
        var png = Synth.Encode(source, SKEncodedImageFormat.Png);
        Assert.Equal(ImageErrorKind.Truncated, DecodeFails(png.AsSpan(0, png.Length / 2).ToArray()).Kind);
    }

    [Fact]
    public void ImageLoader_PixelBombIsRefusedBeforeAllocation()
    {
        var bomb = ImageBytes.Png(30_000, 30_000, idatRows: 2);
        Assert.True(bomb.Length < 2000, $"bomb is {bomb.Length} bytes");
        GC.Collect();
        long before = Process.GetCurrentProcess().WorkingSet64;
        var sw = Stopwatch.StartNew();
        var e = DecodeFails(bomb);
        sw.Stop();
        long after = Process.GetCurrentProcess().WorkingSet64;
        Assert.Equal(ImageErrorKind.TooLarge, e.Kind);
        Assert.Contains("30000", e.Message);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(1), $"took {sw.Elapsed}");
        Assert.True(after - before < 256L * 1024 * 1024, $"working set grew by {(after - before) / 1e6:0} MB");
    }

    [Fact]
    public void ImageLoader_HeaderOnlyPixelBombIsTooLarge()
    {
        // Signature and IHDR only: no codec can be created, but the declared size alone must be refused as too large.
        var headerOnly = ImageBytes.Png(30_000, 30_000, idatRows: 2).AsSpan(0, 33).ToArray();
        var e = DecodeFails(headerOnly);
        Assert.Equal(ImageErrorKind.TooLarge, e.Kind);
        Assert.Contains("30000×30000", e.Message);
    }

    [Fact]
    public void ImageLoader_HandBuiltPngHeaderIsAccepted()
    {
        // The same builder with a small size decodes: proves the bomb is refused for its size, not for a bad file.
        using var bitmap = ImageLoader.Decode(ImageBytes.Png(5, 4, idatRows: 4));
        Assert.Equal((5, 4), (bitmap.Width, bitmap.Height));
        AssertColour(SKColors.Black, bitmap.GetPixel(2, 2), 0);
    }

    [Fact]
    public void ImageLoader_MaxPixelsIsConfigurable()
    {
        using var source = Synth.Gradient(200, 200);
        var png = Synth.Encode(source, SKEncodedImageFormat.Png);
        Assert.Equal(ImageErrorKind.TooLarge, DecodeFails(png, new ImageLoadOptions { MaxPixels = 10_000 }).Kind);
        using var ok = ImageLoader.Decode(png, new ImageLoadOptions { MaxPixels = 40_000 });
        Assert.Equal(200, ok.Width);
    }

    [Fact]
    public void ImageLoader_MaxBytesIsConfigurable()
    {
        using var source = Synth.Scene(1);
        var png = Synth.Encode(source, SKEncodedImageFormat.Png);
        var options = new ImageLoadOptions { MaxBytes = png.Length - 1 };
        Assert.Equal(ImageErrorKind.TooLarge, DecodeFails(png, options).Kind);

        var path = Path.Combine(Path.GetTempPath(), $"drift-maxbytes-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(path, png);
        try
        {
            var e = Assert.Throws<ImageDecodeException>(() => ImageLoader.LoadFile(path, options).Dispose());
            Assert.Equal(ImageErrorKind.TooLarge, e.Kind);
            using var ok = ImageLoader.LoadFile(path, new ImageLoadOptions { MaxBytes = png.Length });
            Assert.Equal(source.Width, ok.Width);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Jpeg, 12)]
    [InlineData(SKEncodedImageFormat.Png, 0)]
    [InlineData(SKEncodedImageFormat.Webp, 12)]
    public void ImageLoader_DecodesWhatSkiaEncodes(SKEncodedImageFormat format, int tolerance)
    {
        using var source = Synth.Checkerboard(64, 48, 16, new SKColor(220, 30, 40), new SKColor(20, 60, 200));
        var bytes = Synth.Encode(source, format, 100);
        using var bitmap = ImageLoader.Decode(bytes);
        Assert.Equal((64, 48), (bitmap.Width, bitmap.Height));
        Assert.Equal(SKColorType.Rgba8888, bitmap.ColorType);
        AssertColour(new SKColor(220, 30, 40), bitmap.GetPixel(4, 4), tolerance);
        AssertColour(new SKColor(20, 60, 200), bitmap.GetPixel(20, 4), tolerance);
        AssertColour(new SKColor(20, 60, 200), bitmap.GetPixel(4, 20), tolerance);
    }

    [Fact]
    public void ImageLoader_DecodesHandWrittenBmp()
    {
        // 5×3 so that rows need padding; the top-left pixel is red, the bottom-right green, the rest blue.
        var bmp = ImageBytes.Bmp(5, 3, (x, y) => (x, y) switch
        {
            (0, 0) => ((byte)255, (byte)0, (byte)0),
            (4, 2) => ((byte)0, (byte)255, (byte)0),
            _ => ((byte)0, (byte)0, (byte)255),
        });
        using var bitmap = ImageLoader.Decode(bmp);
        Assert.Equal((5, 3), (bitmap.Width, bitmap.Height));
        AssertColour(SKColors.Red, bitmap.GetPixel(0, 0), 0);
        AssertColour(new SKColor(0, 255, 0), bitmap.GetPixel(4, 2), 0);
        AssertColour(SKColors.Blue, bitmap.GetPixel(2, 1), 0);
    }

    [Fact]
    public void ImageLoader_DecodesHandWrittenGif()
    {
        (byte, byte, byte)[] palette = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)];
        var gif = ImageBytes.Gif(2, 2, palette, [0, 1, 2, 3]);
        using var bitmap = ImageLoader.Decode(gif);
        Assert.Equal((2, 2), (bitmap.Width, bitmap.Height));
        AssertColour(SKColors.Red, bitmap.GetPixel(0, 0), 0);
        AssertColour(new SKColor(0, 255, 0), bitmap.GetPixel(1, 0), 0);
        AssertColour(SKColors.Blue, bitmap.GetPixel(0, 1), 0);
        AssertColour(SKColors.White, bitmap.GetPixel(1, 1), 0);
    }

    /// <summary>
    /// A 64×32 stored image, blue, with a red 16×16 block in the stored top-left corner. Orientation 3 (rotate 180),
    /// 6 (rotate 90° clockwise) and 8 (rotate 90° counter-clockwise) must move that block to the right display corner.
    /// </summary>
    [Theory]
    [InlineData(1, 64, 32, 4, 4)]     // no change: top-left
    [InlineData(3, 64, 32, 59, 27)]   // 180°: bottom-right
    [InlineData(6, 32, 64, 27, 4)]    // 90° CW: top-right
    [InlineData(8, 32, 64, 4, 59)]    // 90° CCW: bottom-left
    public void ImageLoader_AppliesExifOrientation(int orientation, int width, int height, int redX, int redY)
    {
        using var source = Synth.Solid(64, 32, new SKColor(20, 40, 220));
        Synth.FillRect(source, new SKRectI(0, 0, 16, 16), new SKColor(230, 20, 20));
        var jpeg = ImageBytes.WithExifOrientation(Synth.Encode(source, SKEncodedImageFormat.Jpeg, 95), orientation);

        using var bitmap = ImageLoader.Decode(jpeg);

        Assert.Equal((width, height), (bitmap.Width, bitmap.Height));
        AssertColour(new SKColor(230, 20, 20), bitmap.GetPixel(redX, redY), 30);
        // The opposite corner stays blue.
        AssertColour(new SKColor(20, 40, 220), bitmap.GetPixel(width - 1 - redX, height - 1 - redY), 30);
    }

    [Fact]
    public void ImageLoader_ReducedScaleDecodeForLargeJpeg()
    {
        using var source = Synth.Gradient(1600, 1200);
        var jpeg = Synth.Encode(source, SKEncodedImageFormat.Jpeg, 85);

        using var full = ImageLoader.Decode(jpeg);
        using var reduced = ImageLoader.Decode(jpeg, ImageLoadOptions.Default with { MinShortSide = 256 });

        Assert.Equal((1600, 1200), (full.Width, full.Height));
        // 1/4 keeps a short side of 300 ≥ 256; 1/8 would be 150.
        Assert.Equal((400, 300), (reduced.Width, reduced.Height));
        // Same picture: the colour at the centre matches the full decode.
        AssertColour(full.GetPixel(800, 600), reduced.GetPixel(200, 150), 8);
    }

    [Fact]
    public void ImageLoader_SmallImageIsNotReduced()
    {
        using var source = Synth.Gradient(300, 200);
        var jpeg = Synth.Encode(source, SKEncodedImageFormat.Jpeg, 85);
        using var bitmap = ImageLoader.Decode(jpeg, ImageLoadOptions.Scoring);
        Assert.Equal((300, 200), (bitmap.Width, bitmap.Height));
    }

    [Fact]
    public void ImageLoader_DefaultOptionsStillLimit()
    {
        // default(ImageLoadOptions) skips the constructor: the loader must still apply the default limits.
        var bomb = ImageBytes.Png(30_000, 30_000, idatRows: 1);
        Assert.Equal(ImageErrorKind.TooLarge, Assert.Throws<ImageDecodeException>(() => ImageLoader.Decode(bomb, default).Dispose()).Kind);
    }

    [Fact]
    public void ImageLoader_MissingFileIsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => ImageLoader.LoadFile(Path.Combine(Path.GetTempPath(), $"nope-{Guid.NewGuid():N}.jpg")));
    }
}
