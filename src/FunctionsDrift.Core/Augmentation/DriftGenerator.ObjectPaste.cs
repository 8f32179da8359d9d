using SkiaSharp;

namespace FunctionsDrift.Core.Augmentation;

public sealed partial class DriftGenerator
{
    /// <summary>Long side of the low-resolution render used to measure how much of its box an object covers.</summary>
    private const int ProbeSize = 96;

    /// <summary>
    /// Pastes an object (one of the constructor's images, or a synthetic shape) covering about <paramref name="areaFraction"/>
    /// of the frame, at a random position fully inside it.
    /// </summary>
    /// <remarks>
    /// The area is the alpha-weighted coverage: an opaque photo gets a soft elliptical mask, so its box is about 4/π larger
    /// than the area. When the box would not fit in the frame it is shrunk, and the parameters report the area actually covered.
    /// </remarks>
    public AugmentResult PasteObject(SKBitmap source, Random rng, double areaFraction)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(areaFraction);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(areaFraction, 0.9);

        using var work = Pixels.ToPremul(source);
        int w = work.Width, h = work.Height;

        IPasteObject obj = _objects.Count > 0 ? _objects[rng.Next(_objects.Count)] : SyntheticObject.Create(rng);
        double aspect = obj.Aspect;

        double coverage;
        using (var probe = obj.Render(ProbeWidth(aspect), ProbeHeight(aspect)))
        {
            coverage = Math.Max(0.05, Pixels.Coverage(probe));
        }
        double boxArea = areaFraction * w * h / coverage;
        double bw = Math.Sqrt(boxArea * aspect), bh = bw / aspect;
        double fit = Math.Min(1.0, Math.Min(0.98 * w / bw, 0.98 * h / bh));
        int ow = Math.Clamp((int)Math.Round(bw * fit), 4, Math.Max(4, w));
        int oh = Math.Clamp((int)Math.Round(bh * fit), 4, Math.Max(4, h));
        ow = Math.Min(ow, w);
        oh = Math.Min(oh, h);
        int x = rng.Next(0, w - ow + 1);
        int y = rng.Next(0, h - oh + 1);

        double actual;
        using (var rendered = obj.Render(ow, oh))
        using (var canvas = new SKCanvas(work))
        using (var image = SKImage.FromBitmap(rendered))
        {
            actual = Pixels.Coverage(rendered) * ow * oh / ((double)w * h);
            canvas.DrawImage(image, x, y);
            canvas.Flush();
        }
        var parameters = FormattableString.Invariant($"object={obj.Name} size={actual * 100:0.#}% at ({x},{y}) box={ow}x{oh}");
        return new AugmentResult(Pixels.ToUnpremul(work), DriftKind.ObjectPaste, parameters);
    }

    private static int ProbeWidth(double aspect) => aspect >= 1 ? ProbeSize : Math.Max(4, (int)Math.Round(ProbeSize * aspect));

    private static int ProbeHeight(double aspect) => aspect >= 1 ? Math.Max(4, (int)Math.Round(ProbeSize / aspect)) : ProbeSize;

    /// <summary>Something that can be drawn, premultiplied, into a box of any size.</summary>
    private interface IPasteObject
    {
        string Name { get; }

        /// <summary>Width / height.</summary>
        double Aspect { get; }

        SKBitmap Render(int width, int height);
    }

    /// <summary>A user-supplied object image. Opaque images get a soft elliptical mask; images with alpha keep their own.</summary>
    private sealed class PasteSource : IPasteObject, IDisposable
    {
        private readonly SKImage _image;
        private readonly bool _opaque;

        private PasteSource(string name, SKImage image, bool opaque)
        {
            Name = name;
            _image = image;
            _opaque = opaque;
        }

        public string Name { get; }

        public double Aspect => _image.Width / (double)_image.Height;

        public static PasteSource Create(SKBitmap bitmap, string name)
        {
            ArgumentNullException.ThrowIfNull(bitmap);
            using var premul = Pixels.ToPremul(bitmap);
            return new PasteSource(name, SKImage.FromBitmap(premul), Pixels.IsOpaque(premul));
        }

        public SKBitmap Render(int width, int height)
        {
            var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
            using (var canvas = new SKCanvas(bitmap))
            {
                canvas.Clear(SKColors.Transparent);
                canvas.DrawImage(_image, new SKRect(0, 0, width, height), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
                canvas.Flush();
            }
            if (_opaque)
            {
                Pixels.ApplyEllipticalMask(bitmap, 0.78f);
            }
            return bitmap;
        }

        public void Dispose() => _image.Dispose();
    }

    private enum SyntheticShape
    {
        Polygon,
        Ellipse,
        Blob,
    }

    /// <summary>A random coloured polygon, ellipse or striped blob, described in unit coordinates so any size renders the same shape.</summary>
    private sealed class SyntheticObject : IPasteObject
    {
        private SyntheticShape _shape;
        private SKColor _primary, _secondary;
        private float[] _radii = [];
        private float _rotation, _stripeAngle, _stripes;

        public string Name => _shape switch
        {
            SyntheticShape.Polygon => "synthetic-polygon",
            SyntheticShape.Ellipse => "synthetic-ellipse",
            _ => "synthetic-blob",
        };

        public double Aspect { get; private set; }

        public static SyntheticObject Create(Random rng)
        {
            var shape = (SyntheticShape)rng.Next(3);
            float hue = (float)(rng.NextDouble() * 360);
            var o = new SyntheticObject
            {
                _shape = shape,
                Aspect = 0.6 + rng.NextDouble(),
                _primary = SKColor.FromHsv(hue, 55 + (float)rng.NextDouble() * 45, 45 + (float)rng.NextDouble() * 55),
                _secondary = SKColor.FromHsv((hue + 90 + (float)rng.NextDouble() * 180) % 360, 40 + (float)rng.NextDouble() * 60, 30 + (float)rng.NextDouble() * 70),
                _rotation = (float)(rng.NextDouble() * 2 * Math.PI),
                _stripeAngle = (float)(rng.NextDouble() * 180),
                _stripes = 4 + rng.Next(8),
            };
            int points = shape == SyntheticShape.Polygon ? 3 + rng.Next(6) : 7 + rng.Next(6);
            o._radii = new float[shape == SyntheticShape.Ellipse ? 0 : points];
            for (int i = 0; i < o._radii.Length; i++)
            {
                o._radii[i] = shape == SyntheticShape.Polygon ? 0.75f + 0.25f * (float)rng.NextDouble() : 0.7f + 0.3f * (float)rng.NextDouble();
            }
            return o;
        }

        public SKBitmap Render(int width, int height)
        {
            var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
            using var canvas = new SKCanvas(bitmap);
            canvas.Clear(SKColors.Transparent);
            float rx = width / 2f, ry = height / 2f, minSide = Math.Min(width, height);
            using var path = BuildPath(rx, ry);

            using (var fill = new SKPaint { IsAntialias = true })
            {
                fill.Shader = _shape == SyntheticShape.Ellipse
                    ? SKShader.CreateRadialGradient(new SKPoint(rx * 0.7f, ry * 0.6f), Math.Max(rx, ry) * 1.2f, [_secondary, _primary], [0f, 1f], SKShaderTileMode.Clamp)
                    : SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(width, height), [_primary, _secondary], [0f, 1f], SKShaderTileMode.Clamp);
                fill.MaskFilter = SKMaskFilter.CreateBlur(SKBlurStyle.Normal, Math.Max(0.5f, minSide * 0.006f));
                canvas.DrawPath(path, fill);
                fill.Shader.Dispose();
                fill.MaskFilter.Dispose();
            }

            if (_shape == SyntheticShape.Blob)
            {
                // Texture: stripes of the secondary colour, clipped to the blob.
                canvas.Save();
                canvas.ClipPath(path, SKClipOperation.Intersect, true);
                canvas.Translate(rx, ry);
                canvas.RotateDegrees(_stripeAngle);
                float period = Math.Max(width, height) * 2f / (_stripes * 2);
                using var stripe = new SKPaint { IsAntialias = true, Color = _secondary.WithAlpha(170) };
                for (float s = -Math.Max(width, height); s < Math.Max(width, height); s += period)
                {
                    canvas.DrawRect(s, -Math.Max(width, height), period / 2, 2 * Math.Max(width, height), stripe);
                }
                canvas.Restore();
            }

            using (var outline = new SKPaint
            {
                IsAntialias = true,
                Style = SKPaintStyle.Stroke,
                StrokeWidth = Math.Max(1f, minSide * 0.02f),
                Color = new SKColor((byte)(_primary.Red / 3), (byte)(_primary.Green / 3), (byte)(_primary.Blue / 3), 200),
            })
            {
                canvas.DrawPath(path, outline);
            }
            canvas.Flush();
            return bitmap;
        }

        private SKPath BuildPath(float rx, float ry)
        {
            var path = new SKPath();
            if (_shape == SyntheticShape.Ellipse)
            {
                float inset = Math.Max(1f, Math.Min(rx, ry) * 0.03f);
                path.AddOval(new SKRect(inset, inset, 2 * rx - inset, 2 * ry - inset));
                return path;
            }
            int n = _radii.Length;
            var pts = new SKPoint[n];
            float margin = 0.96f;
            for (int i = 0; i < n; i++)
            {
                double a = _rotation + 2 * Math.PI * i / n;
                pts[i] = new SKPoint(rx + margin * rx * _radii[i] * (float)Math.Cos(a), ry + margin * ry * _radii[i] * (float)Math.Sin(a));
            }
            if (_shape == SyntheticShape.Polygon)
            {
                path.AddPoly(pts, true);
                return path;
            }
            // Smooth blob: quadratic curves through the midpoints, the sample points as control points.
            SKPoint Mid(SKPoint p, SKPoint q) => new((p.X + q.X) / 2, (p.Y + q.Y) / 2);
            path.MoveTo(Mid(pts[n - 1], pts[0]));
            for (int i = 0; i < n; i++)
            {
                path.QuadTo(pts[i], Mid(pts[i], pts[(i + 1) % n]));
            }
            path.Close();
            return path;
        }
    }
}
