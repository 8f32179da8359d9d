using SkiaSharp;

namespace FunctionsDrift.Core.Tests.Augmentation;

/// <summary>Test pictures made in code: no files, no fonts.</summary>
internal static class AugmentTestImages
{
    /// <summary>
    /// An opaque RGBA8888 unpremultiplied scene that is asymmetric top to bottom: red ramp left→right, green ramp top→bottom,
    /// a 16-px checkerboard in blue, and a few bright discs and bars from <paramref name="seed"/>.
    /// </summary>
    public static SKBitmap Scene(int width = 160, int height = 120, int seed = 1)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
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

    /// <summary>A flat opaque colour.</summary>
    public static SKBitmap Flat(int width, int height, byte r, byte g, byte b)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var span = bitmap.GetPixelSpan();
        for (int y = 0; y < height; y++)
        {
            var row = span.Slice(y * bitmap.RowBytes, width * 4);
            for (int x = 0; x < row.Length; x += 4)
            {
                row[x] = r;
                row[x + 1] = g;
                row[x + 2] = b;
                row[x + 3] = 255;
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

    /// <summary>Mean absolute difference over R, G, B (0–255).</summary>
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
}
