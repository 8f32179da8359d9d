using SkiaSharp;

namespace FunctionsDrift.Testing;

/// <summary>
/// Small synthetic pictures for the tests, made in code, seeded, no files or fonts: the one generator of test images,
/// compiled into each test project that draws pictures (the storage tests use the product's own demo scenes).
/// </summary>
internal static class Synth
{
    public static SKBitmap New(int width, int height) =>
        new(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));

    public static SKBitmap Solid(int width, int height, SKColor colour)
    {
        var b = New(width, height);
        b.Erase(colour);
        return b;
    }

    /// <summary>Red ramp left→right, green ramp top→bottom, constant blue.</summary>
    public static SKBitmap Gradient(int width, int height, byte blue = 90)
    {
        var b = New(width, height);
        var span = b.GetPixelSpan();
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int o = y * b.RowBytes + x * 4;
                span[o] = (byte)(255 * x / Math.Max(1, width - 1));
                span[o + 1] = (byte)(255 * y / Math.Max(1, height - 1));
                span[o + 2] = blue;
                span[o + 3] = 255;
            }
        return b;
    }

    public static SKBitmap Checkerboard(int width, int height, int cell, SKColor a, SKColor c)
    {
        var b = New(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                b.SetPixel(x, y, ((x / cell + y / cell) & 1) == 0 ? a : c);
        return b;
    }

    /// <summary>
    /// The "fixed camera" scene: sky gradient, a grey road, a building with windows, a tree, and a few small moving
    /// objects; each seed jitters the light, the object positions and adds a little sensor noise.
    /// </summary>
    public static SKBitmap Scene(int seed, int width = 160, int height = 120, double noise = 3)
    {
        var rng = new Random(seed);
        var b = New(width, height);
        float w = width, h = height;
        float light = (float)(rng.NextDouble() * 0.08 - 0.04);
        using (var canvas = new SKCanvas(b))
        {
            canvas.Clear(SKColors.Black);
            using var sky = new SKPaint
            {
                Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(0, h * 0.55f),
                    [Shade(new SKColor(110, 160, 230), light), Shade(new SKColor(200, 220, 240), light)], SKShaderTileMode.Clamp),
            };
            canvas.DrawRect(0, 0, w, h * 0.55f, sky);
            using var p = new SKPaint { IsAntialias = true };
            p.Color = Shade(new SKColor(90, 120, 70), light);
            canvas.DrawRect(0, h * 0.55f, w, h * 0.45f, p);
            p.Color = Shade(new SKColor(95, 95, 100), light);
            canvas.DrawRect(0, h * 0.72f, w, h * 0.14f, p);
            p.Color = Shade(new SKColor(170, 120, 90), light);
            canvas.DrawRect(w * 0.55f, h * 0.2f, w * 0.3f, h * 0.45f, p);
            p.Color = Shade(new SKColor(60, 70, 90), light);
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++)
                    canvas.DrawRect(w * (0.58f + 0.09f * i), h * (0.25f + 0.12f * j), w * 0.05f, h * 0.06f, p);
            p.Color = Shade(new SKColor(40, 100, 40), light);
            canvas.DrawCircle(w * 0.2f, h * 0.45f, h * 0.13f, p);
            p.Color = Shade(new SKColor(90, 60, 30), light);
            canvas.DrawRect(w * 0.19f, h * 0.5f, w * 0.025f, h * 0.15f, p);
            // Small "cars" on the road and a "pedestrian", at random positions.
            for (int i = 0; i < 2; i++)
            {
                p.Color = new SKColor((byte)rng.Next(60, 200), (byte)rng.Next(60, 200), (byte)rng.Next(60, 200));
                float x = (float)rng.NextDouble() * (w - 16);
                canvas.DrawRect(x, h * 0.74f + (float)rng.NextDouble() * 4, 12, 6, p);
            }
            p.Color = new SKColor(50, 50, 60);
            canvas.DrawRect((float)rng.NextDouble() * (w - 4), h * 0.6f, 2, 6, p);
        }
        if (noise > 0) AddNoise(b, noise, rng);
        return b;
    }

    /// <summary>A different place altogether: stripes, a big disc, purple/orange palette.</summary>
    public static SKBitmap OtherScene(int seed, int width = 160, int height = 120)
    {
        var rng = new Random(seed);
        var b = New(width, height);
        using (var canvas = new SKCanvas(b))
        {
            canvas.Clear(new SKColor(60, 20, 80));
            using var p = new SKPaint { IsAntialias = true };
            for (int i = 0; i < 8; i++)
            {
                p.Color = i % 2 == 0 ? new SKColor(240, 140, 30) : new SKColor(20, 20, 20);
                canvas.DrawRect(i * width / 8f, 0, width / 16f, height, p);
            }
            p.Color = new SKColor(250, 250, 200);
            canvas.DrawCircle(width * (0.3f + 0.4f * (float)rng.NextDouble()), height / 2f, height / 3f, p);
        }
        AddNoise(b, 3, rng);
        return b;
    }

    public static void AddNoise(SKBitmap b, double sigma, Random rng)
    {
        var span = b.GetPixelSpan();
        for (int y = 0; y < b.Height; y++)
            for (int x = 0; x < b.Width; x++)
            {
                int o = y * b.RowBytes + x * 4;
                for (int c = 0; c < 3; c++)
                {
                    double g = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
                    span[o + c] = (byte)Math.Clamp(Math.Round(span[o + c] + sigma * g), 0, 255);
                }
            }
    }

    public static SKBitmap Blur(SKBitmap source, float sigma)
    {
        var b = New(source.Width, source.Height);
        using var canvas = new SKCanvas(b);
        using var paint = new SKPaint { ImageFilter = SKImageFilter.CreateBlur(sigma, sigma, SKShaderTileMode.Clamp) };
        canvas.DrawBitmap(source, 0, 0, paint);
        return b;
    }

    public static SKBitmap FlipVertical(SKBitmap source)
    {
        var b = New(source.Width, source.Height);
        for (int y = 0; y < source.Height; y++)
            for (int x = 0; x < source.Width; x++)
                b.SetPixel(x, source.Height - 1 - y, source.GetPixel(x, y));
        return b;
    }

    public static SKBitmap Grayscale(SKBitmap source)
    {
        var b = source.Copy();
        var span = b.GetPixelSpan();
        for (int y = 0; y < b.Height; y++)
            for (int x = 0; x < b.Width; x++)
            {
                int o = y * b.RowBytes + x * 4;
                byte l = (byte)Math.Round(0.299 * span[o] + 0.587 * span[o + 1] + 0.114 * span[o + 2]);
                span[o] = span[o + 1] = span[o + 2] = l;
            }
        return b;
    }

    /// <summary>Multiplies one channel (hue/colour shift).</summary>
    public static SKBitmap ShiftColour(SKBitmap source, float r, float g, float bl)
    {
        var b = source.Copy();
        var span = b.GetPixelSpan();
        for (int y = 0; y < b.Height; y++)
            for (int x = 0; x < b.Width; x++)
            {
                int o = y * b.RowBytes + x * 4;
                span[o] = (byte)Math.Clamp(span[o] * r, 0, 255);
                span[o + 1] = (byte)Math.Clamp(span[o + 1] * g, 0, 255);
                span[o + 2] = (byte)Math.Clamp(span[o + 2] * bl, 0, 255);
            }
        return b;
    }

    public static void FillRect(SKBitmap b, SKRectI rect, SKColor colour)
    {
        using var canvas = new SKCanvas(b);
        using var p = new SKPaint { Color = colour };
        canvas.DrawRect(rect, p);
    }

    public static byte[] Encode(SKBitmap b, SKEncodedImageFormat format, int quality = 90)
    {
        using var data = b.Encode(format, quality) ?? throw new InvalidOperationException($"SkiaSharp cannot encode {format}");
        return data.ToArray();
    }

    public static void Save(SKBitmap b, string path)
    {
        var format = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".jpg" or ".jpeg" => SKEncodedImageFormat.Jpeg,
            ".webp" => SKEncodedImageFormat.Webp,
            _ => SKEncodedImageFormat.Png,
        };
        File.WriteAllBytes(path, Encode(b, format, 95));
    }

    /// <summary>
    /// A scene for pixel-exact augmentation tests, asymmetric top to bottom: red ramp left→right, green ramp top→bottom,
    /// a 16-px checkerboard in blue, and a few bright discs and bars from <paramref name="seed"/>. Opaque RGBA8888 unpremultiplied.
    /// </summary>
    public static SKBitmap Pattern(int width = 160, int height = 120, int seed = 1)
    {
        var bitmap = New(width, height);
        var rng = new Random(seed);
        var discs = Enumerable.Range(0, 4)
            .Select(_ => (X: rng.Next(width), Y: rng.Next(height), R: 4 + rng.Next(Math.Max(1, width / 8)), V: (byte)(120 + rng.Next(135))))
            .ToArray();
        var span = bitmap.GetPixelSpan();
        for (int y = 0; y < height; y++)
        {
            var row = span.Slice(y * bitmap.RowBytes, width * 4);
            for (int x = 0; x < width; x++)
            {
                var px = row.Slice(x * 4, 4);
                px[0] = (byte)(30 + 200 * x / Math.Max(1, width - 1));
                px[1] = (byte)(20 + 180 * y / Math.Max(1, height - 1));
                px[2] = ((x / 16 + y / 16) & 1) == 0 ? (byte)60 : (byte)190;
                px[3] = 255;
                foreach (var d in discs)
                {
                    int dx = x - d.X, dy = y - d.Y;
                    if (dx * dx + dy * dy <= d.R * d.R)
                    {
                        px[0] = d.V;
                        px[1] = (byte)(255 - d.V);
                        px[2] = (byte)(d.V / 2);
                    }
                }
                if (y > height * 3 / 4 && x % 24 < 6)
                {
                    px[0] = px[1] = px[2] = 250;
                }
            }
        }
        return bitmap;
    }

    /// <summary>Tightly packed RGBA bytes.</summary>
    public static byte[] Bytes(SKBitmap bitmap)
    {
        var result = new byte[bitmap.Width * bitmap.Height * 4];
        var span = bitmap.GetPixelSpan();
        for (int y = 0; y < bitmap.Height; y++)
        {
            span.Slice(y * bitmap.RowBytes, bitmap.Width * 4).CopyTo(result.AsSpan(y * bitmap.Width * 4));
        }
        return result;
    }

    /// <summary>Mean absolute difference over R, G, B (0–255) of two same-sized bitmaps.</summary>
    public static double MeanAbsDiff(SKBitmap a, SKBitmap b)
    {
        var x = Bytes(a);
        var y = Bytes(b);
        long sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            if (i % 4 != 3)
            {
                sum += Math.Abs(x[i] - y[i]);
            }
        }
        return sum / (x.Length * 0.75);
    }

    /// <summary>Share of pixels where some channel moved by more than <paramref name="threshold"/>.</summary>
    public static double ChangedFraction(SKBitmap a, SKBitmap b, int threshold = 8)
    {
        var x = Bytes(a);
        var y = Bytes(b);
        int changed = 0;
        for (int i = 0; i < x.Length; i += 4)
        {
            if (Math.Abs(x[i] - y[i]) > threshold || Math.Abs(x[i + 1] - y[i + 1]) > threshold || Math.Abs(x[i + 2] - y[i + 2]) > threshold)
            {
                changed++;
            }
        }
        return changed / (x.Length / 4.0);
    }

    private static SKColor Shade(SKColor c, float delta)
    {
        static byte S(byte v, float d) => (byte)Math.Clamp(v * (1 + d), 0, 255);
        return new SKColor(S(c.Red, delta), S(c.Green, delta), S(c.Blue, delta));
    }
}
