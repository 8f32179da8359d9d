using SkiaSharp;

namespace FunctionsDrift.Core.Augmentation;

/// <summary>Bulk pixel conversions and drawing helpers shared by the transformations.</summary>
internal static class Pixels
{
    /// <summary>A premultiplied RGBA8888 copy: the format Skia draws into.</summary>
    public static SKBitmap ToPremul(SKBitmap source) => Convert(source, SKAlphaType.Premul);

    /// <summary>An unpremultiplied RGBA8888 copy: the format <see cref="Images.ImageLoader"/> returns and results use.</summary>
    public static SKBitmap ToUnpremul(SKBitmap source) => Convert(source, SKAlphaType.Unpremul);

    private static SKBitmap Convert(SKBitmap source, SKAlphaType alpha)
    {
        var info = new SKImageInfo(source.Width, source.Height, SKColorType.Rgba8888, alpha);
        var copy = new SKBitmap(info);
        using var pixmap = source.PeekPixels();
        if (pixmap is null || !pixmap.ReadPixels(info, copy.GetPixels(), copy.RowBytes))
        {
            copy.Dispose();
            throw new ArgumentException($"cannot read pixels of a {source.ColorType}/{source.AlphaType} bitmap", nameof(source));
        }
        return copy;
    }

    /// <summary>A new bitmap like <paramref name="work"/>, with <paramref name="work"/> drawn through <paramref name="paint"/>.</summary>
    public static SKBitmap DrawThrough(SKBitmap work, SKPaint paint)
    {
        var result = new SKBitmap(work.Info);
        using var canvas = new SKCanvas(result);
        canvas.Clear(SKColors.Transparent);
        using var image = SKImage.FromBitmap(work);
        canvas.DrawImage(image, 0, 0, paint);
        canvas.Flush();
        return result;
    }

    /// <summary>Applies a 4×5 colour matrix with Skia's colour filter.</summary>
    public static SKBitmap ColorMatrix(SKBitmap work, float[] matrix)
    {
        using var filter = SKColorFilter.CreateColorMatrix(matrix);
        using var paint = new SKPaint { ColorFilter = filter, BlendMode = SKBlendMode.Src };
        return DrawThrough(work, paint);
    }

    /// <summary>Fraction of the bitmap covered, weighting each pixel by its alpha.</summary>
    public static double Coverage(SKBitmap premul)
    {
        var span = premul.GetPixelSpan();
        int rowBytes = premul.RowBytes, width = premul.Width;
        long sum = 0;
        for (int y = 0; y < premul.Height; y++)
        {
            var row = span.Slice(y * rowBytes, width * 4);
            for (int i = 3; i < row.Length; i += 4)
            {
                sum += row[i];
            }
        }
        return sum / (255.0 * width * premul.Height);
    }

    /// <summary>True when every alpha byte is 255.</summary>
    public static bool IsOpaque(SKBitmap rgba)
    {
        var span = rgba.GetPixelSpan();
        int rowBytes = rgba.RowBytes, width = rgba.Width;
        for (int y = 0; y < rgba.Height; y++)
        {
            var row = span.Slice(y * rowBytes, width * 4);
            for (int i = 3; i < row.Length; i += 4)
            {
                if (row[i] != 255)
                {
                    return false;
                }
            }
        }
        return true;
    }

    /// <summary>
    /// Multiplies a premultiplied bitmap by an ellipse inscribed in it: 1 inside <paramref name="inner"/> (as a fraction of the radii),
    /// a smoothstep down to 0 at the ellipse edge.
    /// </summary>
    public static void ApplyEllipticalMask(SKBitmap premul, float inner)
    {
        var span = premul.GetPixelSpan();
        int w = premul.Width, h = premul.Height, rowBytes = premul.RowBytes;
        float rx = w / 2f, ry = h / 2f;
        for (int y = 0; y < h; y++)
        {
            var row = span.Slice(y * rowBytes, w * 4);
            float ny = (y + 0.5f - ry) / ry;
            for (int x = 0; x < w; x++)
            {
                float nx = (x + 0.5f - rx) / rx;
                float t = MathF.Sqrt(nx * nx + ny * ny);
                if (t <= inner)
                {
                    continue;
                }
                float m = 0;
                if (t < 1)
                {
                    float u = (1 - t) / (1 - inner);
                    m = u * u * (3 - 2 * u);
                }
                var px = row.Slice(x * 4, 4);
                for (int c = 0; c < 4; c++)
                {
                    px[c] = (byte)(px[c] * m + 0.5f);
                }
            }
        }
    }
}

/// <summary>Standard normal samples from a <see cref="Random"/> (Box–Muller, both values used).</summary>
internal struct GaussianSource(Random rng)
{
    private double _spare;
    private bool _hasSpare;

    public double Next()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spare;
        }
        double u1 = 1.0 - rng.NextDouble(); // (0, 1]
        double u2 = rng.NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        double theta = 2 * Math.PI * u2;
        _spare = r * Math.Sin(theta);
        _hasSpare = true;
        return r * Math.Cos(theta);
    }
}
