using SkiaSharp;

namespace FunctionsDrift.LocalHost;

/// <summary>
/// Small synthetic JPEG scenes for the demo, the benchmark and the tests: a fixed "camera" (sky, ground, house, tree, now and
/// then a passer-by) with jitter and sensor noise, and drifted variants (0 night, 1 fog, 2 a different scene, 3 occlusion).
/// </summary>
public static class SampleScenes
{
    public const int DriftKinds = 4;

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

    /// <summary>Writes <paramref name="reference"/> normal scenes to DIR/reference and a mix of normal and drifted ones to DIR/incoming.</summary>
    public static (int Reference, int Incoming) WriteDemo(string dir, int reference = 40, int normal = 12, int drifted = 8)
    {
        var refDir = Directory.CreateDirectory(Path.Combine(dir, "reference")).FullName;
        var inDir = Directory.CreateDirectory(Path.Combine(dir, "incoming")).FullName;
        for (int i = 0; i < reference; i++) File.WriteAllBytes(Path.Combine(refDir, $"frame-{i:0000}.jpg"), Scene(1000 + i));
        for (int i = 0; i < normal; i++) File.WriteAllBytes(Path.Combine(inDir, $"normal-{i:000}.jpg"), Scene(5000 + i));
        string[] kinds = ["night", "fog", "other-scene", "occlusion"];
        for (int i = 0; i < drifted; i++) File.WriteAllBytes(Path.Combine(inDir, $"drift-{kinds[i % DriftKinds]}-{i:000}.jpg"), Drifted(6000 + i, i % DriftKinds));
        return (reference, normal + drifted);
    }
}
