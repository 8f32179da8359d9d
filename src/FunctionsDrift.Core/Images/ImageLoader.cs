using SkiaSharp;

namespace FunctionsDrift.Core.Images;

/// <summary>
/// Decodes JPEG, PNG, WebP, BMP and GIF (first frame) with SkiaSharp into RGBA pixels, honouring EXIF orientation.
/// Every bad input becomes an <see cref="ImageDecodeException"/>; the pixel limit is checked from the header, before allocation.
/// </summary>
public static class ImageLoader
{
    public static SKBitmap LoadFile(string path, ImageLoadOptions options = default)
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
        return Decode(File.ReadAllBytes(path), options);
    }

    public static SKBitmap Decode(ReadOnlySpan<byte> bytes, ImageLoadOptions options = default)
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
        if (full.Width <= 0 || full.Height <= 0)
        {
            throw new ImageDecodeException(ImageErrorKind.NotAnImage, "image declares no pixels");
        }
        if ((long)full.Width * full.Height > options.MaxPixels)
        {
            throw TooLarge(full.Width, full.Height, options);
        }

        var size = ChooseDecodeSize(codec, options.MinShortSide);
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
