using System.IO.Compression;
using System.Text;
using FunctionsDrift.Core.Images;
using Xunit.Abstractions;

namespace FunctionsDrift.Core.Tests;

/// <summary>Peak memory is read from the whole process: nothing else may run at the same time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PeakMemoryCollection
{
    public const string Name = "peak memory";
}

/// <summary>
/// Large lossless images (49 MP, just under the 50 MP default limit) decode at reduced size, and the decode's peak resident
/// memory stays small. The bitmap is native memory, so a GC heap limit would not see it: the test resets the process's
/// peak resident set (<c>/proc/self/clear_refs</c>) and reads <c>VmHWM</c> after the decode.
/// </summary>
[Collection(PeakMemoryCollection.Name)]
public sealed class LargeImageMemoryTests(ITestOutputHelper output)
{
    private const int Width = 8084, Height = 6064; // 49.0 MP, about 196 MB as an RGBA bitmap

    /// <summary>A PNG of <paramref name="width"/>×<paramref name="height"/> RGB, streamed row by row (small when compressed).</summary>
    internal static byte[] LargePng(int width, int height)
    {
        using var file = new MemoryStream();
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB, no interlace
        Chunk(file, "IHDR", ihdr);
        using var idat = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionLevel.Fastest, leaveOpen: true))
        {
            var row = new byte[1 + 3 * width];
            for (int y = 0; y < height; y++)
            {
                row[0] = 1; // Sub filter: a gentle gradient compresses to almost nothing
                for (int x = 0; x < width; x++)
                {
                    row[1 + 3 * x] = 1;
                    row[2 + 3 * x] = 0;
                    row[3 + 3 * x] = (byte)(x % 97 == 0 ? y : 0);
                }
                z.Write(row);
            }
        }
        Chunk(file, "IDAT", idat.ToArray());
        Chunk(file, "IEND", []);
        return file.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var header = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header, data.Length);
        Encoding.ASCII.GetBytes(type).CopyTo(header, 4);
        s.Write(header);
        s.Write(data);
        var crc = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(crc, System.IO.Hashing.Crc32.HashToUInt32([.. header.AsSpan(4), .. data]));
        s.Write(crc);
    }

    /// <summary>An 8-bit palette BMP (1 byte per pixel: 49 MB, under the 64 MiB byte limit) with a grey ramp palette.</summary>
    internal static byte[] LargeBmp8(int width, int height)
    {
        int stride = (width + 3) & ~3;
        int offset = 14 + 40 + 256 * 4;
        var b = new byte[offset + (long)stride * height];
        b[0] = (byte)'B'; b[1] = (byte)'M';
        BitConverter.GetBytes(b.Length).CopyTo(b, 2);
        BitConverter.GetBytes(offset).CopyTo(b, 10);
        BitConverter.GetBytes(40).CopyTo(b, 14);
        BitConverter.GetBytes(width).CopyTo(b, 18);
        BitConverter.GetBytes(height).CopyTo(b, 22);
        BitConverter.GetBytes((short)1).CopyTo(b, 26);
        BitConverter.GetBytes((short)8).CopyTo(b, 28);
        BitConverter.GetBytes(256).CopyTo(b, 46);
        for (int i = 0; i < 256; i++) { b[54 + 4 * i] = (byte)i; b[55 + 4 * i] = (byte)i; b[56 + 4 * i] = (byte)i; }
        for (int y = 0; y < height; y++)
        {
            var row = b.AsSpan(offset + y * stride, width);
            for (int x = 0; x < width; x++) row[x] = (byte)((x >> 5) + (y >> 5));
        }
        return b;
    }

    private static long StatusKb(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal)) return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        }
        throw new InvalidOperationException(field);
    }

    /// <summary>Peak resident memory the action added, in MB (Linux only).</summary>
    private static double PeakMb(Action action)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        File.WriteAllText("/proc/self/clear_refs", "5"); // resets VmHWM to the current resident set
        long before = StatusKb("VmRSS");
        action();
        return (StatusKb("VmHWM") - before) / 1024.0;
    }

    [Theory]
    [InlineData("png")]
    [InlineData("bmp")]
    public void ImageLoader_49MegapixelLosslessImage_DecodesReduced_PeakMemoryBounded(string format)
    {
        if (!OperatingSystem.IsLinux()) return;
        var bytes = format == "png" ? LargePng(Width, Height) : LargeBmp8(Width, Height);
        (int W, int H) decoded = default;
        double peak = PeakMb(() =>
        {
            using var bitmap = ImageLoader.Decode(bytes, ImageLoadOptions.Scoring);
            decoded = (bitmap.Width, bitmap.Height);
        });
        output.WriteLine($"{format}: {bytes.Length / 1e6:0.0} MB encoded, decoded {decoded.W}×{decoded.H}, peak +{peak:0} MB");
        Assert.Equal((Width / 8, Height / 8), decoded);
        // The decoder copies the encoded bytes once (SKData); beyond that only rows and the reduced bitmap. The peak can be a
        // little below the start when the decode reuses pages freed meanwhile. A full-size decode added 190 MB (PNG) and
        // 238 MB (BMP) here.
        Assert.True(peak < bytes.Length / 1e6 * 1.1 + 40, $"peak +{peak:0} MB");
    }

    public static TheoryData<string> Formats => ["png-opaque", "png-alpha", "bmp"];

    [Theory]
    [MemberData(nameof(Formats))]
    public void ImageLoader_ReducedLosslessDecode_EqualsBlockMeansOfTheFullDecode(string format)
    {
        const int w = 642, h = 483; // not multiples of the factor: the last partial blocks are dropped
        var rng = new Random(11);
        (byte R, byte G, byte B) Pixel(int x, int y) => ((byte)(x * 3 + rng.Next(40)), (byte)(y * 2 + rng.Next(40)), (byte)((x ^ y) + rng.Next(40)));
        byte[] bytes;
        if (format == "bmp")
        {
            bytes = ImageBytes.Bmp(w, h, Pixel);
        }
        else
        {
            using var source = new SkiaSharp.SKBitmap(new SkiaSharp.SKImageInfo(w, h, SkiaSharp.SKColorType.Rgba8888,
                format == "png-alpha" ? SkiaSharp.SKAlphaType.Unpremul : SkiaSharp.SKAlphaType.Opaque));
            for (int y = 0; y < h; y++)
            {
                for (int x = 0; x < w; x++)
                {
                    var (r, g, b) = Pixel(x, y);
                    source.SetPixel(x, y, new SkiaSharp.SKColor(r, g, b, format == "png-alpha" ? (byte)(128 + (x + y) % 128) : (byte)255));
                }
            }
            using var data = source.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
            bytes = data.ToArray();
        }
        using var full = ImageLoader.Decode(bytes, ImageLoadOptions.Default);
        using var reduced = ImageLoader.Decode(bytes, new ImageLoadOptions { MinShortSide = 120 });
        const int f = 4;
        Assert.Equal((w / f, h / f), (reduced.Width, reduced.Height));
        var fp = full.GetPixelSpan();
        var rp = reduced.GetPixelSpan();
        for (int y = 0; y < reduced.Height; y++)
        {
            for (int x = 0; x < reduced.Width; x++)
            {
                for (int c = 0; c < 4; c++)
                {
                    int sum = 0;
                    for (int dy = 0; dy < f; dy++) for (int dx = 0; dx < f; dx++) sum += fp[((y * f + dy) * w + x * f + dx) * 4 + c];
                    Assert.Equal((sum + f * f / 2) / (f * f), rp[(y * reduced.Width + x) * 4 + c]);
                }
            }
        }
    }

    [Fact]
    public void ImageLoader_LargeLosslessImageThatCannotStream_IsRefusedOverTheUnreducedLimit()
    {
        // An interlaced PNG cannot be read row by row: above MaxUnreducedPixels it is refused, below it decodes at full size.
        var png = LargePng(5000, 4000);
        png[8 + 8 + 12] = 1; // IHDR interlace method = Adam7 (the data no longer matches: the header check comes first)
        var ihdr = png.AsSpan(12, 17);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(8 + 8 + 13), System.IO.Hashing.Crc32.HashToUInt32(ihdr));
        var e = Assert.Throws<ImageDecodeException>(() => ImageLoader.Decode(png, ImageLoadOptions.Scoring).Dispose());
        Assert.Equal(ImageErrorKind.TooLarge, e.Kind);
        Assert.Contains("cannot be decoded at reduced size", e.Message);
    }
}
