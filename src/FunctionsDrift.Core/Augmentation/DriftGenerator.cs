using System.Buffers;
using System.Globalization;
using SkiaSharp;

namespace FunctionsDrift.Core.Augmentation;

/// <summary>
/// Applies the study's synthetic drifts (<see cref="DriftKind"/>) to an image with SkiaSharp. Deterministic: the same source,
/// kind and <see cref="Random"/> state give identical pixels. The output always has the size of the input.
/// </summary>
/// <remarks>
/// Work happens on a premultiplied RGBA8888 copy; Skia filters are used where Skia has one (colour matrices, convolution, blur),
/// the rest are row loops over spans. Results are RGBA8888 unpremultiplied, like <see cref="Images.ImageLoader"/>'s output.
/// </remarks>
public sealed partial class DriftGenerator : IDisposable
{
    /// <summary>Smallest share of the frame an <see cref="DriftKind.ObjectPaste"/> covers.</summary>
    public const double MinObjectArea = 0.03;

    /// <summary>Largest share of the frame an <see cref="DriftKind.ObjectPaste"/> covers.</summary>
    public const double MaxObjectArea = 0.35;

    private static readonly int[][] NonIdentityPermutations = [[0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];

    private readonly List<PasteSource> _objects = [];

    /// <summary>Creates a generator.</summary>
    /// <param name="objects">Images to paste for <see cref="DriftKind.ObjectPaste"/>; copied, so the caller keeps ownership. When empty, synthetic objects are drawn.</param>
    /// <param name="names">Optional names (e.g. file names) of <paramref name="objects"/>, used in the parameters text.</param>
    public DriftGenerator(IReadOnlyList<SKBitmap>? objects = null, IReadOnlyList<string>? names = null)
    {
        if (objects is null)
        {
            return;
        }
        for (int i = 0; i < objects.Count; i++)
        {
            var name = names is not null && i < names.Count ? names[i] : $"object{i + 1}";
            _objects.Add(PasteSource.Create(objects[i], name));
        }
    }

    /// <summary>Number of object images; 0 means synthetic objects.</summary>
    public int ObjectCount => _objects.Count;

    /// <summary>Applies <paramref name="kind"/> to <paramref name="source"/> with parameters drawn from <paramref name="rng"/>.</summary>
    public AugmentResult Apply(SKBitmap source, DriftKind kind, Random rng)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(rng);
        if (kind == DriftKind.ObjectPaste)
        {
            double area = Math.Exp(Math.Log(MinObjectArea) + rng.NextDouble() * (Math.Log(MaxObjectArea) - Math.Log(MinObjectArea)));
            return PasteObject(source, rng, area);
        }

        using var work = Pixels.ToPremul(source);
        var (image, parameters) = kind switch
        {
            DriftKind.VerticalFlip => VerticalFlip(work),
            DriftKind.Downscale => Downscale(work, rng),
            DriftKind.Rain => Rain(work, rng),
            DriftKind.GaussianNoise => GaussianNoise(work, rng),
            DriftKind.Emboss => Emboss(work, rng),
            DriftKind.ColorJitter => ColorJitter(work, rng),
            DriftKind.Invert => (Pixels.ColorMatrix(work, ColorMatrix.Invert()), "negative"),
            DriftKind.Grayscale => (Pixels.ColorMatrix(work, ColorMatrix.Grayscale()), "luma=bt601"),
            DriftKind.SunFlare => SunFlare(work, rng),
            DriftKind.ChannelShuffle => ChannelShuffle(work, rng),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
        try
        {
            return new AugmentResult(Pixels.ToUnpremul(image), kind, parameters);
        }
        finally
        {
            if (!ReferenceEquals(image, work))
            {
                image.Dispose();
            }
        }
    }

    public void Dispose()
    {
        foreach (var o in _objects)
        {
            o.Dispose();
        }
        _objects.Clear();
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>Upside down: rows swapped in place.</summary>
    private static (SKBitmap, string) VerticalFlip(SKBitmap work)
    {
        var span = work.GetPixelSpan();
        int rowBytes = work.RowBytes, h = work.Height;
        var tmp = ArrayPool<byte>.Shared.Rent(rowBytes);
        try
        {
            var t = tmp.AsSpan(0, rowBytes);
            for (int y = 0; y < h / 2; y++)
            {
                var top = span.Slice(y * rowBytes, rowBytes);
                var bottom = span.Slice((h - 1 - y) * rowBytes, rowBytes);
                top.CopyTo(t);
                bottom.CopyTo(top);
                t.CopyTo(bottom);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(tmp);
        }
        return (work, "flip=vertical");
    }

    /// <summary>Shrinks by 0.15–0.4 and scales back with nearest or bilinear sampling (no mipmaps: aliasing is the point).</summary>
    private static (SKBitmap, string) Downscale(SKBitmap work, Random rng)
    {
        double scale = 0.15 + 0.25 * rng.NextDouble();
        bool nearest = rng.Next(2) == 0;
        var sampling = new SKSamplingOptions(nearest ? SKFilterMode.Nearest : SKFilterMode.Linear, SKMipmapMode.None);
        int sw = Math.Max(1, (int)Math.Round(work.Width * scale));
        int sh = Math.Max(1, (int)Math.Round(work.Height * scale));

        using var small = new SKBitmap(new SKImageInfo(sw, sh, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(small))
        using (var image = SKImage.FromBitmap(work))
        using (var paint = new SKPaint { BlendMode = SKBlendMode.Src })
        {
            canvas.DrawImage(image, new SKRect(0, 0, sw, sh), sampling, paint);
        }
        var result = new SKBitmap(work.Info);
        using (var canvas = new SKCanvas(result))
        using (var image = SKImage.FromBitmap(small))
        using (var paint = new SKPaint { BlendMode = SKBlendMode.Src })
        {
            canvas.DrawImage(image, new SKRect(0, 0, work.Width, work.Height), sampling, paint);
        }
        return (result, Inv($"scale={scale:0.00} ({sw}x{sh}) interpolation={(nearest ? "nearest" : "linear")}"));
    }

    /// <summary>
    /// Like albumentations RandomRain: about one drop per 600 px², slanted by up to ±10 px per 20 px of length,
    /// light grey and semi-transparent, over a slightly blurred and darkened frame.
    /// </summary>
    private static (SKBitmap, string) Rain(SKBitmap work, Random rng)
    {
        int w = work.Width, h = work.Height;
        float unit = Math.Max(1f, h / 480f);
        int slant = rng.Next(-10, 11);
        float length = (15 + rng.Next(16)) * unit;
        float dx = slant * length / 20f;
        int drops = Math.Max(1, (int)(w * (double)h / 600 * (0.6 + 0.8 * rng.NextDouble())));
        float alpha = 0.6f + 0.3f * (float)rng.NextDouble();
        float sigma = (0.8f + 0.8f * (float)rng.NextDouble()) * unit;
        float brightness = 0.65f + 0.15f * (float)rng.NextDouble();

        using var path = new SKPath();
        for (int i = 0; i < drops; i++)
        {
            float x = (float)(rng.NextDouble() * (w + Math.Abs(dx))) - Math.Max(0, dx);
            float y = (float)(rng.NextDouble() * Math.Max(1, h - length));
            path.MoveTo(x, y);
            path.LineTo(x + dx, y + length);
        }

        // The frame is blurred and darkened first, then the streaks go on top (softened a little), so they stay visible.
        using var blur = SKImageFilter.CreateBlur(sigma, sigma, SKShaderTileMode.Clamp, null);
        using var darken = SKColorFilter.CreateColorMatrix(ColorMatrix.Brightness(brightness));
        using var through = new SKPaint { ImageFilter = blur, ColorFilter = darken, BlendMode = SKBlendMode.Src };
        var result = Pixels.DrawThrough(work, through);
        using (var canvas = new SKCanvas(result))
        using (var soften = SKMaskFilter.CreateBlur(SKBlurStyle.Normal, 0.5f * unit))
        using (var paint = new SKPaint
        {
            IsAntialias = true,
            Style = SKPaintStyle.Stroke,
            StrokeWidth = Math.Max(1f, MathF.Round(unit)),
            Color = new SKColor(200, 200, 200, (byte)(alpha * 255)),
            MaskFilter = soften,
        })
        {
            canvas.DrawPath(path, paint);
            canvas.Flush();
        }
        return (result, Inv($"drops={drops} slant={slant} length={length:0} blur={sigma:0.0} brightness={brightness:0.00}"));
    }

    /// <summary>Additive per-channel Gaussian noise, sigma 15–40 (on 0–255), in place.</summary>
    private static (SKBitmap, string) GaussianNoise(SKBitmap work, Random rng)
    {
        double sigma = 15 + 25 * rng.NextDouble();
        var gauss = new GaussianSource(rng);
        var span = work.GetPixelSpan();
        int rowBytes = work.RowBytes, w = work.Width;
        for (int y = 0; y < work.Height; y++)
        {
            var row = span.Slice(y * rowBytes, w * 4);
            for (int i = 0; i < row.Length; i += 4)
            {
                int a = row[i + 3];
                for (int c = 0; c < 3; c++)
                {
                    // Premultiplied: a channel may not exceed alpha.
                    double v = row[i + c] + sigma * gauss.Next() * a / 255.0;
                    row[i + c] = (byte)Math.Clamp((int)Math.Round(v), 0, a);
                }
            }
        }
        return (work, Inv($"sigma={sigma:0.0}"));
    }

    /// <summary>albumentations Emboss, stronger: the emboss kernel (strength 0.4–1.0) blended with identity by alpha 0.5–0.9.</summary>
    private static (SKBitmap, string) Emboss(SKBitmap work, Random rng)
    {
        float alpha = 0.5f + 0.4f * (float)rng.NextDouble();
        float s = 0.4f + 0.6f * (float)rng.NextDouble();
        float[] emboss = [-1 - s, -s, 0, -s, 1, s, 0, s, 1 + s];
        var kernel = new float[9];
        for (int i = 0; i < 9; i++)
        {
            kernel[i] = alpha * emboss[i] + (i == 4 ? 1 - alpha : 0);
        }
        using var filter = SKImageFilter.CreateMatrixConvolution(
            new SKSizeI(3, 3), kernel, 1f, 0f, new SKPointI(1, 1), SKShaderTileMode.Clamp, false);
        using var paint = new SKPaint { ImageFilter = filter, BlendMode = SKBlendMode.Src };
        return (Pixels.DrawThrough(work, paint), Inv($"alpha={alpha:0.00} strength={s:0.00}"));
    }

    /// <summary>Brightness ±0.2–0.4, contrast ±0.2–0.45, saturation ±0.3–0.8, hue ±15–45°: each clearly away from 1 (or 0°).</summary>
    private static (SKBitmap, string) ColorJitter(SKBitmap work, Random rng)
    {
        float Sign() => rng.Next(2) == 0 ? -1f : 1f;
        float Uniform(float lo, float hi) => lo + (hi - lo) * (float)rng.NextDouble();
        float brightness = 1 + Sign() * Uniform(0.2f, 0.4f);
        float contrast = 1 + Sign() * Uniform(0.2f, 0.45f);
        float saturation = Math.Max(0.1f, 1 + Sign() * Uniform(0.3f, 0.8f));
        float hue = Sign() * Uniform(15f, 45f);
        var m = ColorMatrix.Then(ColorMatrix.Brightness(brightness), ColorMatrix.Contrast(contrast));
        m = ColorMatrix.Then(m, ColorMatrix.Saturation(saturation));
        m = ColorMatrix.Then(m, ColorMatrix.HueRotate(hue));
        return (Pixels.ColorMatrix(work, m),
            Inv($"brightness={brightness:0.00} contrast={contrast:0.00} saturation={saturation:0.00} hue={hue:+0;-0}°"));
    }

    /// <summary>Output (R, G, B) = source channels in one of the five non-identity orders.</summary>
    private static (SKBitmap, string) ChannelShuffle(SKBitmap work, Random rng)
    {
        var order = NonIdentityPermutations[rng.Next(NonIdentityPermutations.Length)];
        const string letters = "RGB";
        var name = string.Concat(order.Select(i => letters[i]));
        return (Pixels.ColorMatrix(work, ColorMatrix.Permute(order)), $"order={name}");
    }

    /// <summary>
    /// Like albumentations RandomSunFlare: a sun in the upper half (radial gradient, 25–50 % of the short side, plus a wide halo)
    /// and 6–10 translucent flare circles along a random line through it.
    /// </summary>
    private static (SKBitmap, string) SunFlare(SKBitmap work, Random rng)
    {
        int w = work.Width, h = work.Height;
        float minSide = Math.Min(w, h);
        float cx = w * (0.1f + 0.8f * (float)rng.NextDouble());
        float cy = h * (0.05f + 0.4f * (float)rng.NextDouble());
        float radius = minSide * (0.25f + 0.25f * (float)rng.NextDouble());
        double angle = rng.NextDouble() * 2 * Math.PI;
        int circles = rng.Next(6, 11);

        var result = new SKBitmap(work.Info);
        using var canvas = new SKCanvas(result);
        using (var image = SKImage.FromBitmap(work))
        {
            canvas.DrawImage(image, 0, 0);
        }

        using (var paint = new SKPaint { IsAntialias = true })
        {
            for (int i = 0; i < circles; i++)
            {
                float dist = minSide * (0.15f + 1.1f * (float)rng.NextDouble());
                float px = cx + (float)Math.Cos(angle) * dist;
                float py = cy + (float)Math.Sin(angle) * dist;
                float r = minSide * (0.015f + 0.06f * (float)rng.NextDouble());
                byte a = (byte)(255 * (0.12f + 0.25f * (float)rng.NextDouble()));
                paint.Color = new SKColor(255, (byte)(255 - rng.Next(50)), (byte)(255 - rng.Next(90)), a);
                canvas.DrawCircle(px, py, r, paint);
            }
        }

        var center = new SKPoint(cx, cy);
        using (var halo = SKShader.CreateRadialGradient(center, radius * 1.8f,
                   [new SKColor(255, 244, 214, 110), new SKColor(255, 244, 214, 0)], [0f, 1f], SKShaderTileMode.Clamp))
        using (var paint = new SKPaint { Shader = halo })
        {
            canvas.DrawCircle(cx, cy, radius * 1.8f, paint);
        }
        using (var sun = SKShader.CreateRadialGradient(center, radius,
                   [SKColors.White, new SKColor(255, 255, 250, 235), new SKColor(255, 250, 230, 90), new SKColor(255, 250, 230, 0)],
                   [0f, 0.12f, 0.45f, 1f], SKShaderTileMode.Clamp))
        using (var paint = new SKPaint { Shader = sun })
        {
            canvas.DrawCircle(cx, cy, radius, paint);
        }
        canvas.Flush();
        return (result, Inv($"center=({cx:0},{cy:0}) radius={radius:0} circles={circles}"));
    }
}
