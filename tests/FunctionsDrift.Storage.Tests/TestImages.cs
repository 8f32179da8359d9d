using SkiaSharp;

namespace FunctionsDrift.Storage.Tests;

/// <summary>Small synthetic JPEG scenes: a fixed "camera" (sky, ground, house, tree) with jitter and noise, and drifted variants.</summary>
public static class TestImages
{
    public static byte[] Scene(int seed, int width = 160, int height = 120) => Render(seed, width, height, drift: null);

    public static byte[] Drifted(int seed, int kind) => Render(seed, 160, 120, kind);

    private static byte[] Render(int seed, int w, int h, int? drift)
    {
        var rng = new Random(seed);
        using var bitmap = new SKBitmap(w, h, SKColorType.Rgba8888, SKAlphaType.Premul);
        using (var canvas = new SKCanvas(bitmap))
        {
            float j() => (float)(rng.NextDouble() * 4 - 2);
            using var sky = new SKPaint { Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(0, h * 0.6f),
                [new SKColor(90, 140, (byte)(220 + rng.Next(-10, 10))), new SKColor(180, 210, 240)], SKShaderTileMode.Clamp) };
            canvas.DrawRect(0, 0, w, h * 0.6f, sky);
            using var ground = new SKPaint { Color = new SKColor((byte)(70 + rng.Next(-8, 8)), (byte)(120 + rng.Next(-8, 8)), 60) };
            canvas.DrawRect(0, h * 0.6f, w, h * 0.4f, ground);
            using var house = new SKPaint { Color = new SKColor(160, 80, 60) };
            canvas.DrawRect(40 + j(), 45 + j(), 40, 30, house);
            using var roof = new SKPaint { Color = new SKColor(90, 50, 40) };
            using var path = new SKPath();
            path.MoveTo(36 + j(), 46); path.LineTo(60, 30 + j()); path.LineTo(84 + j(), 46); path.Close();
            canvas.DrawPath(path, roof);
            using var tree = new SKPaint { Color = new SKColor(30, 90, 40) };
            canvas.DrawCircle(120 + j(), 50 + j(), 14, tree);
            // A person walking by now and then.
            if (rng.Next(3) == 0)
            {
                using var person = new SKPaint { Color = new SKColor(40, 40, 120) };
                canvas.DrawRect(rng.Next(10, 140), 70, 5, 14, person);
            }
            switch (drift)
            {
                case 0: // night: very dark, blue cast
                    using (var p = new SKPaint { Color = new SKColor(0, 0, 30, 225) }) canvas.DrawRect(0, 0, w, h, p);
                    break;
                case 1: // fog / washed out
                    using (var p = new SKPaint { Color = new SKColor(235, 235, 235, 200) }) canvas.DrawRect(0, 0, w, h, p);
                    break;
                case 2: // a different scene: checkerboard
                    using (var p = new SKPaint { Color = SKColors.Magenta })
                    {
                        for (int y = 0; y < h; y += 16) for (int x = (y / 16 % 2) * 16; x < w; x += 32) canvas.DrawRect(x, y, 16, 16, p);
                    }
                    break;
                case 3: // occlusion: a large object in front of the camera
                    using (var p = new SKPaint { Color = new SKColor(200, 30, 30) }) canvas.DrawRect(10, 10, w * 0.7f, h * 0.8f, p);
                    break;
            }
        }
        // Sensor noise.
        var pixels = bitmap.GetPixelSpan().ToArray();
        for (int i = 0; i < pixels.Length; i++)
        {
            if (i % 4 == 3) continue;
            pixels[i] = (byte)Math.Clamp(pixels[i] + rng.Next(-6, 7), 0, 255);
        }
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }

    /// <summary>Bad blobs: zero bytes, text, a truncated JPEG, and a PNG header declaring 30000×30000 pixels.</summary>
    public static IReadOnlyList<(string Name, byte[] Bytes)> Bad()
    {
        var jpeg = Scene(7);
        var bomb = new List<byte> { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R' };
        bomb.AddRange(BigEndian(30000)); bomb.AddRange(BigEndian(30000));
        bomb.AddRange([8, 2, 0, 0, 0]);
        uint crc = Crc32(bomb.Skip(12).ToArray());
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

    private static uint Crc32(byte[] data)
    {
        uint c = 0xFFFFFFFF;
        foreach (var b in data)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
        }
        return c ^ 0xFFFFFFFF;
    }
}
