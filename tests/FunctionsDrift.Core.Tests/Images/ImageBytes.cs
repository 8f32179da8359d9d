using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace FunctionsDrift.Core.Tests;

/// <summary>Hand-built image files for the decoder tests: a PNG with any IHDR, a 24-bit BMP, a GIF89a, a JPEG with an Exif orientation.</summary>
internal static class ImageBytes
{
    /// <summary>A PNG whose IHDR declares <paramref name="width"/>×<paramref name="height"/> RGB (valid CRCs), with <paramref name="idatRows"/> rows of zero pixels in IDAT.</summary>
    public static byte[] Png(int width, int height, int idatRows)
    {
        using var ms = new MemoryStream();
        ms.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(0), width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;  // bit depth
        ihdr[9] = 2;  // colour type RGB
        WriteChunk(ms, "IHDR", ihdr);
        using (var raw = new MemoryStream())
        {
            using (var z = new ZLibStream(raw, CompressionLevel.SmallestSize, leaveOpen: true))
            {
                var row = new byte[1 + 3 * width];
                for (int r = 0; r < idatRows; r++) z.Write(row);
            }
            WriteChunk(ms, "IDAT", raw.ToArray());
        }
        WriteChunk(ms, "IEND", []);
        return ms.ToArray();
    }

    private static void WriteChunk(Stream s, string type, byte[] data)
    {
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
        s.Write(len);
        var typeAndData = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        s.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(len, System.IO.Hashing.Crc32.HashToUInt32(typeAndData));
        s.Write(len);
    }

    /// <summary>An uncompressed 24-bit bottom-up BMP; <paramref name="pixel"/> gives (r, g, b) at (x, y) from the top.</summary>
    public static byte[] Bmp(int width, int height, Func<int, int, (byte R, byte G, byte B)> pixel)
    {
        int stride = (width * 3 + 3) & ~3;
        int imageSize = stride * height;
        var b = new byte[54 + imageSize];
        b[0] = (byte)'B'; b[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(2), b.Length);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(22), height);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(28), 24);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(34), imageSize);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(38), 2835);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(42), 2835);
        for (int y = 0; y < height; y++)
        {
            int row = 54 + (height - 1 - y) * stride;
            for (int x = 0; x < width; x++)
            {
                var (r, g, bl) = pixel(x, y);
                b[row + x * 3] = bl; b[row + x * 3 + 1] = g; b[row + x * 3 + 2] = r;
            }
        }
        return b;
    }

    /// <summary>
    /// A GIF89a with a 4-colour palette; pixels are palette indices, row-major. LZW data uses a clear code every two
    /// pixels so the code size never grows past 3 bits (valid for every decoder).
    /// </summary>
    public static byte[] Gif(int width, int height, (byte R, byte G, byte B)[] palette, byte[] indices)
    {
        var ms = new MemoryStream();
        ms.Write("GIF89a"u8);
        WriteU16(ms, width); WriteU16(ms, height);
        ms.WriteByte(0x80 | 0x01); // global colour table, 2^(1+1) = 4 entries
        ms.WriteByte(0); ms.WriteByte(0);
        for (int i = 0; i < 4; i++)
        {
            var (r, g, b) = i < palette.Length ? palette[i] : ((byte)0, (byte)0, (byte)0);
            ms.WriteByte(r); ms.WriteByte(g); ms.WriteByte(b);
        }
        ms.WriteByte(0x2C);
        WriteU16(ms, 0); WriteU16(ms, 0); WriteU16(ms, width); WriteU16(ms, height);
        ms.WriteByte(0);
        ms.WriteByte(2); // LZW minimum code size
        const int clear = 4, end = 5;
        var codes = new List<int>();
        for (int i = 0; i < indices.Length; i++)
        {
            if (i % 2 == 0) codes.Add(clear);
            codes.Add(indices[i]);
        }
        codes.Add(end);
        var data = new List<byte>();
        int acc = 0, bits = 0;
        foreach (var c in codes)
        {
            acc |= c << bits; bits += 3;
            while (bits >= 8) { data.Add((byte)acc); acc >>= 8; bits -= 8; }
        }
        if (bits > 0) data.Add((byte)acc);
        for (int o = 0; o < data.Count; o += 255)
        {
            int n = Math.Min(255, data.Count - o);
            ms.WriteByte((byte)n);
            ms.Write(data.GetRange(o, n).ToArray());
        }
        ms.WriteByte(0);
        ms.WriteByte(0x3B);
        return ms.ToArray();
    }

    private static void WriteU16(Stream s, int v) { s.WriteByte((byte)v); s.WriteByte((byte)(v >> 8)); }

    /// <summary>Inserts an APP1 Exif segment (big-endian TIFF, one IFD entry: Orientation) right after the JPEG's SOI marker.</summary>
    public static byte[] WithExifOrientation(byte[] jpeg, int orientation)
    {
        if (jpeg[0] != 0xFF || jpeg[1] != 0xD8) throw new ArgumentException("not a JPEG", nameof(jpeg));
        var payload = new List<byte>();
        payload.AddRange("Exif\0\0"u8.ToArray());
        payload.AddRange([(byte)'M', (byte)'M', 0x00, 0x2A, 0, 0, 0, 8]); // TIFF header, IFD0 at offset 8
        payload.AddRange([0x00, 0x01]);                                     // one entry
        payload.AddRange([0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1]);             // tag 0x0112 Orientation, SHORT, count 1
        payload.AddRange([0x00, (byte)orientation, 0, 0]);                  // value, padded
        payload.AddRange([0, 0, 0, 0]);                                     // no next IFD
        int length = payload.Count + 2;
        var segment = new List<byte> { 0xFF, 0xE1, (byte)(length >> 8), (byte)length };
        segment.AddRange(payload);
        return [.. jpeg.AsSpan(0, 2), .. segment, .. jpeg.AsSpan(2)];
    }
}
