using System.Buffers.Binary;
using System.IO.Compression;

namespace FunctionsDrift.Core.Images;

/// <summary>
/// Reads a non-interlaced PNG one row at a time as RGBA8, so that a large PNG can be reduced while it is decoded (Skia's
/// PNG codec here decodes whole images only). Bit depths 1–16 of every colour type; 16-bit samples keep their high byte;
/// palette transparency (tRNS) is applied, colour-space chunks are ignored, as Skia's decode without a target colour space
/// does. Anything it does not handle (interlacing, a damaged header) makes <see cref="TryOpen"/> return null, and the
/// caller decodes with Skia instead.
/// </summary>
internal sealed class PngRowReader : IDisposable
{
    private readonly ZLibStream _inflate;
    private readonly int _bitDepth, _colorType, _channels, _filterBytes;
    private readonly byte[] _palette = new byte[256 * 4];
    private byte[] _row, _previous;

    public int Width { get; }
    public int Height { get; }

    private PngRowReader(int width, int height, int bitDepth, int colorType, byte[] palette, Stream idat)
    {
        Width = width;
        Height = height;
        _bitDepth = bitDepth;
        _colorType = colorType;
        _channels = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };
        _filterBytes = Math.Max(1, _channels * bitDepth / 8);
        int rowBytes = checked((int)(((long)width * _channels * bitDepth + 7) / 8));
        _row = new byte[rowBytes];
        _previous = new byte[rowBytes];
        palette.CopyTo(_palette, 0);
        _inflate = new ZLibStream(idat, CompressionMode.Decompress);
    }

    /// <summary>A reader, or null when the bytes are not a PNG this reader handles.</summary>
    public static PngRowReader? TryOpen(ReadOnlySpan<byte> png)
    {
        if (png.Length < 33 || !png[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return null;
        }
        int width = 0, height = 0, depth = 0, type = -1;
        var palette = new byte[256 * 4];
        for (int i = 0; i < 256; i++) palette[4 * i + 3] = 255;
        var idat = new MemoryStream();
        int at = 8;
        while (at + 12 <= png.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png[at..]);
            if (length < 0 || at + 12L + length > png.Length) break; // truncated: let Skia report it
            var chunk = png.Slice(at + 4, 4);
            var data = png.Slice(at + 8, length);
            if (chunk.SequenceEqual("IHDR"u8))
            {
                if (length < 13) return null;
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                depth = data[8];
                type = data[9];
                if (data[12] != 0) return null; // interlaced
            }
            else if (chunk.SequenceEqual("PLTE"u8))
            {
                for (int i = 0; i < Math.Min(256, length / 3); i++)
                {
                    palette[4 * i] = data[3 * i]; palette[4 * i + 1] = data[3 * i + 1]; palette[4 * i + 2] = data[3 * i + 2];
                }
            }
            else if (chunk.SequenceEqual("tRNS"u8) && type == 3)
            {
                for (int i = 0; i < Math.Min(256, length); i++) palette[4 * i + 3] = data[i];
            }
            else if (chunk.SequenceEqual("IDAT"u8))
            {
                idat.Write(data);
            }
            else if (chunk.SequenceEqual("IEND"u8))
            {
                break;
            }
            at += 12 + length;
        }
        bool valid = width > 0 && height > 0 && type switch
        {
            0 => depth is 1 or 2 or 4 or 8 or 16,
            3 => depth is 1 or 2 or 4 or 8,
            2 or 4 or 6 => depth is 8 or 16,
            _ => false,
        };
        if (!valid || idat.Length == 0) return null;
        idat.Position = 0;
        return new PngRowReader(width, height, depth, type, palette, idat);
    }

    /// <summary>Decodes the next row into <paramref name="rgba"/> (4 × <see cref="Width"/> bytes).</summary>
    public void ReadRow(Span<byte> rgba)
    {
        (_row, _previous) = (_previous, _row);
        int filter = _inflate.ReadByte();
        try
        {
            _inflate.ReadExactly(_row);
        }
        catch (EndOfStreamException)
        {
            throw new ImageDecodeException(ImageErrorKind.Truncated, "PNG image data ends early");
        }
        catch (InvalidDataException)
        {
            throw new ImageDecodeException(ImageErrorKind.Truncated, "PNG image data is damaged");
        }
        if (filter < 0) throw new ImageDecodeException(ImageErrorKind.Truncated, "PNG image data ends early");
        Unfilter(filter, _row, _previous, _filterBytes);
        ToRgba(rgba);
    }

    private static void Unfilter(int filter, Span<byte> row, ReadOnlySpan<byte> up, int bpp)
    {
        switch (filter)
        {
            case 0: break;
            case 1: for (int i = bpp; i < row.Length; i++) row[i] += row[i - bpp]; break;
            case 2: for (int i = 0; i < row.Length; i++) row[i] += up[i]; break;
            case 3:
                for (int i = 0; i < row.Length; i++) row[i] += (byte)(((i >= bpp ? row[i - bpp] : 0) + up[i]) >> 1);
                break;
            case 4:
                for (int i = 0; i < row.Length; i++)
                {
                    int a = i >= bpp ? row[i - bpp] : 0, b = up[i], c = i >= bpp ? up[i - bpp] : 0;
                    int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
                    row[i] += (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
                }
                break;
            default: throw new ImageDecodeException(ImageErrorKind.Truncated, $"PNG row has an unknown filter type {filter}");
        }
    }

    private void ToRgba(Span<byte> rgba)
    {
        var row = _row;
        int step = _bitDepth == 16 ? 2 : 1; // 16-bit samples: the high byte comes first
        for (int x = 0; x < Width; x++)
        {
            var o = rgba.Slice(4 * x, 4);
            switch (_colorType)
            {
                case 0:
                    byte g = Sample(row, x);
                    o[0] = o[1] = o[2] = g; o[3] = 255;
                    break;
                case 3:
                    int index = _bitDepth == 8 ? row[x] : (row[x * _bitDepth / 8] >> (8 - _bitDepth - x * _bitDepth % 8)) & ((1 << _bitDepth) - 1);
                    _palette.AsSpan(4 * index, 4).CopyTo(o);
                    break;
                case 2:
                    o[0] = row[3 * step * x]; o[1] = row[3 * step * x + step]; o[2] = row[3 * step * x + 2 * step]; o[3] = 255;
                    break;
                case 4:
                    o[0] = o[1] = o[2] = row[2 * step * x]; o[3] = row[2 * step * x + step];
                    break;
                default:
                    o[0] = row[4 * step * x]; o[1] = row[4 * step * x + step]; o[2] = row[4 * step * x + 2 * step]; o[3] = row[4 * step * x + 3 * step];
                    break;
            }
        }
    }

    /// <summary>A grey sample scaled to 8 bits.</summary>
    private byte Sample(byte[] row, int x)
    {
        switch (_bitDepth)
        {
            case 16: return row[2 * x];
            case 8: return row[x];
            default:
                int v = (row[x * _bitDepth / 8] >> (8 - _bitDepth - x * _bitDepth % 8)) & ((1 << _bitDepth) - 1);
                return (byte)(v * 255 / ((1 << _bitDepth) - 1));
        }
    }

    public void Dispose() => _inflate.Dispose();
}
