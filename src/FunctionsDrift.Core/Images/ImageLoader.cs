using SkiaSharp;

namespace FunctionsDrift.Core.Images;

/// <summary>
/// Decodes JPEG, PNG, WebP, BMP and GIF (first frame) with SkiaSharp into RGBA pixels, honouring EXIF orientation.
/// Every bad input becomes an <see cref="ImageDecodeException"/>; the pixel limit is checked from the header, before allocation.
/// </summary>
public static class ImageLoader
{
    public static SKBitmap LoadFile(string path, ImageLoadOptions options = default) => LoadFile(path, options, out _);

    /// <param name="nativePixels">Width × height the file declares, before any reduction.</param>
    public static SKBitmap LoadFile(string path, ImageLoadOptions options, out long nativePixels)
    {
        options = Normalise(options);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"image not found: {path}", path);
        }
        if (info.Length > options.MaxBytes)
        {
            throw new ImageDecodeException(ImageErrorKind.TooLarge, $"file is {info.Length:N0} bytes, over the limit of {options.MaxBytes:N0}");
        }
        return Decode(File.ReadAllBytes(path), options, out nativePixels);
    }

    public static SKBitmap Decode(ReadOnlySpan<byte> bytes, ImageLoadOptions options = default) => Decode(bytes, options, out _);

    /// <param name="nativePixels">Width × height the image declares, before any reduction.</param>
    public static SKBitmap Decode(ReadOnlySpan<byte> bytes, ImageLoadOptions options, out long nativePixels)
    {
        options = Normalise(options);
        if (bytes.IsEmpty)
        {
            throw new ImageDecodeException(ImageErrorKind.Empty, "image is empty (0 bytes)");
        }
        if (bytes.Length > options.MaxBytes)
        {
            throw new ImageDecodeException(ImageErrorKind.TooLarge, $"image is {bytes.Length:N0} bytes, over the limit of {options.MaxBytes:N0}");
        }

        // A header that declares too many pixels is refused even when the rest of the file is missing (a header-only bomb).
        if (DeclaredSize(bytes) is { } declared && (long)declared.Width * declared.Height > options.MaxPixels)
        {
            throw TooLarge(declared.Width, declared.Height, options);
        }

        using var data = SKData.CreateCopy(bytes);
        // The codec takes ownership of the stream.
        using var codec = SKCodec.Create(new SKMemoryStream(data), out var createResult);
        if (codec is null)
        {
            throw createResult == SKCodecResult.IncompleteInput
                ? new ImageDecodeException(ImageErrorKind.Truncated, "image data ends before the header is complete")
                : new ImageDecodeException(ImageErrorKind.NotAnImage, "not a supported image (JPEG, PNG, WebP, BMP, GIF)");
        }

        var full = codec.Info;
        nativePixels = (long)full.Width * full.Height;
        if (full.Width <= 0 || full.Height <= 0)
        {
            throw new ImageDecodeException(ImageErrorKind.NotAnImage, "image declares no pixels");
        }
        if ((long)full.Width * full.Height > options.MaxPixels)
        {
            throw TooLarge(full.Width, full.Height, options);
        }

        var size = ChooseDecodeSize(codec, options.MinShortSide);
        // JPEG and WebP scale inside the codec (above); other formats are reduced row by row, or bounded when they cannot be.
        if (size == full.Size && codec.EncodedFormat is not (SKEncodedImageFormat.Jpeg or SKEncodedImageFormat.Webp)
            && ReductionFactor(full.Size, options.MinShortSide) is > 1 and var factor)
        {
            if (DecodeReduced(codec, bytes, factor) is { } reduced)
            {
                var turned = ApplyOrientation(reduced, codec.EncodedOrigin);
                if (!ReferenceEquals(turned, reduced))
                {
                    reduced.Dispose();
                }
                return turned;
            }
            if ((long)full.Width * full.Height > options.MaxUnreducedPixels)
            {
                throw new ImageDecodeException(ImageErrorKind.TooLarge,
                    $"{codec.EncodedFormat} image is {full.Width}×{full.Height}: this format cannot be decoded at reduced size, and the limit for such images is {options.MaxUnreducedPixels / 1e6:0.#} MP");
            }
        }
        var decodeInfo = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var bitmap = new SKBitmap(decodeInfo);
        try
        {
            // Frame 0 only: an animated GIF is judged by its first frame.
            var result = codec.GetPixels(decodeInfo, bitmap.GetPixels(), new SKCodecOptions(0));
            if (result == SKCodecResult.IncompleteInput || result == SKCodecResult.ErrorInInput)
            {
                throw new ImageDecodeException(ImageErrorKind.Truncated, $"image data is truncated or damaged ({result})");
            }
            if (result != SKCodecResult.Success)
            {
                throw new ImageDecodeException(ImageErrorKind.NotAnImage, $"image could not be decoded ({result})");
            }
            var oriented = ApplyOrientation(bitmap, codec.EncodedOrigin);
            if (!ReferenceEquals(oriented, bitmap))
            {
                bitmap.Dispose();
            }
            return oriented;
        }
        catch
        {
            bitmap.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The power-of-two factor (2, 4 or 8, as JPEG's codec offers) that keeps the short side at or above
    /// <paramref name="minShortSide"/>; 1 when no reduction is wanted or possible.
    /// </summary>
    private static int ReductionFactor(SKSizeI full, int minShortSide)
    {
        if (minShortSide <= 0) return 1;
        int factor = 1;
        while (factor < 8 && Math.Min(full.Width, full.Height) / (factor * 2) >= minShortSide) factor *= 2;
        return factor;
    }

    /// <summary>
    /// Decodes a format whose codec cannot scale (PNG, BMP) row by row and averages <paramref name="factor"/>×<paramref name="factor"/>
    /// blocks as the rows arrive, so only one full-width row, one row of sums and the reduced bitmap are ever held (a 49 MP
    /// PNG: 32 KB of row and 3 MB of bitmap instead of a 196 MB bitmap). Rows past the last whole block are dropped, as
    /// JPEG's scaled decode does. PNG rows come from <see cref="PngRowReader"/> (Skia's PNG codec here has no scanline
    /// decoding), other formats from Skia's scanline decoder. Returns null when neither can stream the image (GIF,
    /// interlaced PNG): the caller then decodes at full size, under <see cref="ImageLoadOptions.MaxUnreducedPixels"/>.
    /// </summary>
    private static SKBitmap? DecodeReduced(SKCodec codec, ReadOnlySpan<byte> bytes, int factor)
    {
        var full = codec.Info;
        using var png = codec.EncodedFormat == SKEncodedImageFormat.Png ? PngRowReader.TryOpen(bytes) : null;
        if (png is null)
        {
            // The info describes the whole image (the codec cannot scale); the rows are still fetched one at a time.
            var whole = new SKImageInfo(full.Width, full.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
            if (codec.EncodedFormat == SKEncodedImageFormat.Png || codec.StartScanlineDecode(whole) != SKCodecResult.Success
                || codec.ScanlineOrder is not (SKCodecScanlineOrder.TopDown or SKCodecScanlineOrder.BottomUp))
            {
                return null;
            }
        }
        else if (png.Width != full.Width || png.Height != full.Height)
        {
            return null;
        }
        bool topDown = png is not null || codec.ScanlineOrder == SKCodecScanlineOrder.TopDown;
        int w = full.Width / factor, h = full.Height / factor;
        var bitmap = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        int rowBytes = full.Width * 4;
        var row = System.Buffers.ArrayPool<byte>.Shared.Rent(rowBytes);
        var sums = new int[w * 4];
        try
        {
            var output = bitmap.GetPixelSpan();
            int band = -1, inBand = 0, area = factor * factor;
            for (int input = 0; input < (topDown ? h * factor : full.Height); input++)
            {
                // Bottom-up BMPs deliver the last display row first: each row still lands in its display band.
                int y = png is not null ? input : codec.GetOutputScanline(input);
                if (png is not null)
                {
                    png.ReadRow(row.AsSpan(0, rowBytes));
                }
                else if (GetScanline(codec, row, rowBytes) != 1)
                {
                    throw new ImageDecodeException(ImageErrorKind.Truncated, "image data is truncated or damaged");
                }
                if (y / factor >= h) continue;
                if (band >= 0 && band != y / factor) throw new ImageDecodeException(ImageErrorKind.NotAnImage, "image rows arrive out of order");
                band = y / factor;
                var src = row.AsSpan(0, w * factor * 4);
                for (int x = 0, o = 0; o < sums.Length; o += 4)
                {
                    for (int k = 0; k < factor; k++, x += 4)
                    {
                        sums[o] += src[x]; sums[o + 1] += src[x + 1]; sums[o + 2] += src[x + 2]; sums[o + 3] += src[x + 3];
                    }
                }
                if (++inBand == factor)
                {
                    var dst = output.Slice(band * w * 4, w * 4);
                    for (int k = 0; k < dst.Length; k++) dst[k] = (byte)((sums[k] + area / 2) / area);
                    Array.Clear(sums);
                    inBand = 0;
                    band = -1;
                }
            }
            return bitmap;
        }
        catch
        {
            bitmap.Dispose();
            throw;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(row);
        }
    }

    private static unsafe int GetScanline(SKCodec codec, byte[] row, int rowBytes)
    {
        fixed (byte* p = row)
        {
            return codec.GetScanlines((IntPtr)p, 1, rowBytes);
        }
    }

    private static ImageDecodeException TooLarge(long width, long height, ImageLoadOptions options) =>
        new(ImageErrorKind.TooLarge, $"image is {width}×{height} ({width * height / 1e6:0.#} MP), over the limit of {options.MaxPixels / 1e6:0.#} MP");

    /// <summary>Width and height from a PNG, GIF or BMP header, without decoding anything; null for other formats.</summary>
    internal static (long Width, long Height)? DeclaredSize(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 24 && b[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]) && b.Slice(12, 4).SequenceEqual("IHDR"u8))
        {
            return (System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(b[16..]), System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(b[20..]));
        }
        if (b.Length >= 10 && (b[..6].SequenceEqual("GIF87a"u8) || b[..6].SequenceEqual("GIF89a"u8)))
        {
            return (System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(b[6..]), System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(b[8..]));
        }
        if (b.Length >= 26 && b[0] == (byte)'B' && b[1] == (byte)'M')
        {
            return (Math.Abs((long)System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(b[18..])), Math.Abs((long)System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(b[22..])));
        }
        return null;
    }

    private static ImageLoadOptions Normalise(ImageLoadOptions options) =>
        options.MaxPixels == 0 && options.MaxBytes == 0 ? ImageLoadOptions.Default with { MinShortSide = options.MinShortSide } : options;

    /// <summary>The smallest codec-supported size whose short side stays at or above <paramref name="minShortSide"/>.</summary>
    private static SKSizeI ChooseDecodeSize(SKCodec codec, int minShortSide)
    {
        var full = codec.Info.Size;
        if (minShortSide <= 0 || Math.Min(full.Width, full.Height) <= minShortSide)
        {
            return full;
        }
        var best = full;
        foreach (var scale in new[] { 0.5f, 0.25f, 0.125f })
        {
            var scaled = codec.GetScaledDimensions(scale);
            if (Math.Min(scaled.Width, scaled.Height) >= minShortSide && scaled.Width * scaled.Height < best.Width * best.Height)
            {
                best = scaled;
            }
        }
        return best;
    }

    private static SKBitmap ApplyOrientation(SKBitmap source, SKEncodedOrigin origin)
    {
        if (origin is SKEncodedOrigin.TopLeft or SKEncodedOrigin.Default)
        {
            return source;
        }
        bool swap = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        int w = swap ? source.Height : source.Width;
        int h = swap ? source.Width : source.Height;
        float sw = source.Width, sh = source.Height;
        // Matrix from stored pixels to display pixels: x' = a·x + b·y + c, y' = d·x + e·y + f (EXIF orientations 2–8).
        var m = origin switch
        {
            SKEncodedOrigin.TopRight => new SKMatrix(-1, 0, sw, 0, 1, 0, 0, 0, 1),
            SKEncodedOrigin.BottomRight => new SKMatrix(-1, 0, sw, 0, -1, sh, 0, 0, 1),
            SKEncodedOrigin.BottomLeft => new SKMatrix(1, 0, 0, 0, -1, sh, 0, 0, 1),
            SKEncodedOrigin.LeftTop => new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1),
            SKEncodedOrigin.RightTop => new SKMatrix(0, -1, sh, 1, 0, 0, 0, 0, 1),
            SKEncodedOrigin.RightBottom => new SKMatrix(0, -1, sh, -1, 0, sw, 0, 0, 1),
            _ /* LeftBottom */ => new SKMatrix(0, 1, 0, -1, 0, sw, 0, 0, 1),
        };
        var rotated = new SKBitmap(new SKImageInfo(w, h, source.ColorType, source.AlphaType));
        using var canvas = new SKCanvas(rotated);
        canvas.SetMatrix(m);
        canvas.DrawBitmap(source, 0, 0);
        return rotated;
    }
}
