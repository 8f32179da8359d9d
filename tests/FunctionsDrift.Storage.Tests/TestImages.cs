using SkiaSharp;

namespace FunctionsDrift.Storage.Tests;

/// <summary>Test images: the synthetic scenes of <see cref="FunctionsDrift.LocalHost.SampleScenes"/> and bad blobs.</summary>
public static class TestImages
{
    public static byte[] Scene(int seed) => FunctionsDrift.LocalHost.SampleScenes.Scene(seed);

    public static byte[] Drifted(int seed, int kind) => FunctionsDrift.LocalHost.SampleScenes.Drifted(seed, kind);

    /// <summary>Bad blobs: zero bytes, text, a truncated JPEG, and a PNG header declaring 30000×30000 pixels.</summary>
    public static IReadOnlyList<(string Name, byte[] Bytes)> Bad()
    {
        var jpeg = Scene(7);
        var bomb = new List<byte> { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R' };
        bomb.AddRange(BigEndian(30000)); bomb.AddRange(BigEndian(30000));
        bomb.AddRange([8, 2, 0, 0, 0]);
        uint crc = System.IO.Hashing.Crc32.HashToUInt32(bomb.Skip(12).ToArray());
        bomb.AddRange(BigEndian((int)crc));
        bomb.AddRange(new byte[64]);
        return
        [
            ("bad/empty.jpg", []),
            ("bad/text.jpg", "this is not an image\n"u8.ToArray()),
            ("bad/truncated.jpg", jpeg[..(jpeg.Length / 3)]),
            ("bad/bomb.png", bomb.ToArray()),
        ];
    }

    private static byte[] BigEndian(int v) => [(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v];
}
