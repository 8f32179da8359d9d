using SkiaSharp;

namespace FunctionsDrift.Core.Features;

/// <summary>
/// Brings every decoded image to one analysis scale before features are computed, whatever the decode path: a JPEG is
/// decoded at ½, ¼ or ⅛ inside the codec (block averages), a PNG or BMP at full size. Without this the noise and
/// sharpness statistics measure the file format, and converting the same pixels from JPEG to PNG looks like drift.
/// </summary>
public static class AnalysisScale
{
    /// <summary>
    /// The image box-averaged by the largest integer factor that keeps its short side at least
    /// <paramref name="minShortSide"/> — the same block averaging a JPEG codec does when it decodes at reduced scale.
    /// Returns <paramref name="image"/> itself when no reduction applies.
    /// </summary>
    public static SKBitmap Normalise(SKBitmap image, int minShortSide)
    {
        int factor = minShortSide <= 0 ? 1 : Math.Min(image.Width, image.Height) / minShortSide;
        if (factor < 2)
        {
            return image;
        }
        if (image.ColorType != SKColorType.Rgba8888)
        {
            using var converted = image.Copy(SKColorType.Rgba8888) ?? throw new DriftException("cannot convert image to RGBA");
            return BoxDown(converted, factor);
        }
        return BoxDown(image, factor);
    }

    private static unsafe SKBitmap BoxDown(SKBitmap src, int f)
    {
        int w = src.Width / f, h = src.Height / f;
        var dst = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        byte* s = (byte*)src.GetPixels(), d = (byte*)dst.GetPixels();
        int srcRow = src.RowBytes, dstRow = dst.RowBytes, area = f * f;
        Span<int> sums = stackalloc int[4];
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                sums.Clear();
                for (int yy = 0; yy < f; yy++)
                {
                    byte* row = s + (long)(y * f + yy) * srcRow + x * f * 4;
                    for (int xx = 0; xx < f * 4; xx += 4)
                    {
                        sums[0] += row[xx]; sums[1] += row[xx + 1]; sums[2] += row[xx + 2]; sums[3] += row[xx + 3];
                    }
                }
                byte* o = d + (long)y * dstRow + x * 4;
                for (int c = 0; c < 4; c++) o[c] = (byte)((sums[c] + area / 2) / area);
            }
        }
        return dst;
    }
}
