using System.Buffers;
using SkiaSharp;

namespace FunctionsDrift.Core.Features;

/// <summary>Computes colour and quality features from RGBA pixels in two passes over rows. Thread-safe, allocation-light.</summary>
public static class FeatureComputer
{
    /// <summary>Histograms sample every <c>Step</c>-th pixel in each direction; luma statistics use every pixel.</summary>
    private const int Step = 2;

    /// <summary>Saturation below which a pixel's hue is not counted (grey has no reliable hue).</summary>
    private const float HueSaturationFloor = 0.1f;

    public static (float[] Hsv, float[] Quality) Compute(SKBitmap rgba)
    {
        if (rgba.ColorType != SKColorType.Rgba8888)
        {
            using var converted = rgba.Copy(SKColorType.Rgba8888) ?? throw new DriftException("cannot convert image to RGBA");
            return Compute(converted);
        }
        int w = rgba.Width, h = rgba.Height;
        var hsv = new float[3 * ColorFeatures.Bins];
        var quality = new float[QualityFeatures.Count];
        float[] luma = ArrayPool<float>.Shared.Rent(w * h);
        try
        {
            ColourPass(rgba, luma, hsv, quality);
            LumaPass(luma, w, h, quality);
            quality[QualityFeatures.Blockiness] = Blockiness(luma, w, h);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(luma);
        }
        return (hsv, quality);
    }

    private static unsafe void ColourPass(SKBitmap rgba, float[] luma, float[] hsv, float[] quality)
    {
        int w = rgba.Width, h = rgba.Height, rowBytes = rgba.RowBytes;
        byte* basePtr = (byte*)rgba.GetPixels();
        const int bins = ColorFeatures.Bins;
        double sumRg = 0, sumRg2 = 0, sumYb = 0, sumYb2 = 0, sumSat = 0;
        long sampled = 0;
        double hueWeight = 0;
        Span<double> hueMass = stackalloc double[bins];
        hueMass.Clear();
        double lumaSum = 0, lumaSq = 0, topSum = 0;
        long dark = 0, bright = 0;
        int half = h / 2;

        for (int y = 0; y < h; y++)
        {
            byte* row = basePtr + (long)y * rowBytes;
            int lumaRow = y * w;
            bool sampleRow = y % Step == 0;
            double rowLuma = 0, rowSq = 0;
            for (int x = 0; x < w; x++)
            {
                byte r = row[x * 4], g = row[x * 4 + 1], b = row[x * 4 + 2];
                float yv = 0.299f * r + 0.587f * g + 0.114f * b;
                luma[lumaRow + x] = yv;
                rowLuma += yv;
                rowSq += yv * yv;
                if (yv < 16) dark++;
                else if (yv > 240) bright++;
                if (sampleRow && x % Step == 0)
                {
                    var (hh, ss, vv) = ColorFeatures.ToHsv(r, g, b);
                    // Hue weighted by saturation above a floor (after Hanbury 2003): the hue of a near-grey pixel is noise
                    // that a 1 % cast or a re-encode swings across the circle (a 1 % cast gives grey a saturation of about
                    // 0.02, JPEG chroma noise up to about 0.05), so such pixels must not vote.
                    float hueVote = Math.Max(0f, ss - HueSaturationFloor);
                    hueMass[(int)(hh * bins)] += hueVote;
                    hueWeight += hueVote;
                    hsv[bins + (int)(ss * bins)] += 1;
                    hsv[2 * bins + (int)(vv * bins)] += 1;
                    sumSat += ss;
                    double rg = r - g, yb = 0.5 * (r + g) - b;
                    sumRg += rg; sumRg2 += rg * rg; sumYb += yb; sumYb2 += yb * yb;
                    sampled++;
                }
            }
            lumaSum += rowLuma;
            lumaSq += rowSq;
            if (y < half) topSum += rowLuma;
        }

        for (int i = 0; i < bins; i++)
        {
            // A grey image has no hue: its histogram is uniform, the least informative choice.
            hsv[i] = hueWeight > 0 ? (float)(hueMass[i] / hueWeight) : 1f / bins;
        }
        for (int i = bins; i < hsv.Length; i++)
        {
            hsv[i] /= sampled;
        }
        long n = (long)w * h;
        double mean = lumaSum / n;
        double lumaVar = Math.Max(0, lumaSq / n - mean * mean);
        double mRg = sumRg / sampled, mYb = sumYb / sampled;
        double sRg = Math.Sqrt(Math.Max(0, sumRg2 / sampled - mRg * mRg)), sYb = Math.Sqrt(Math.Max(0, sumYb2 / sampled - mYb * mYb));
        double colourfulness = Math.Sqrt(sRg * sRg + sYb * sYb) + 0.3 * Math.Sqrt(mRg * mRg + mYb * mYb);

        quality[QualityFeatures.Brightness] = (float)(mean / 255);
        quality[QualityFeatures.Contrast] = (float)(Math.Sqrt(lumaVar) / 255);
        quality[QualityFeatures.Colourfulness] = (float)(colourfulness / 255);
        quality[QualityFeatures.Saturation] = (float)(sumSat / sampled);
        quality[QualityFeatures.DarkFraction] = (float)dark / n;
        quality[QualityFeatures.BrightFraction] = (float)bright / n;
        double topMean = topSum / Math.Max(1, (long)half * w), bottomMean = (lumaSum - topSum) / Math.Max(1, (long)(h - half) * w);
        quality[QualityFeatures.TopBottomLuma] = (float)((topMean - bottomMean) / 255);
    }

    /// <summary>
    /// How much more the luma steps across a block grid than elsewhere (after Wang, Bovik and Evans, "Blind measurement of
    /// blocking artifacts in images", ICIP 2000): heavy JPEG compression leaves 8×8 blocks, which a decode at ½ scale or
    /// the 2×2 averaging turns into 4×4, so both periods are measured and the larger excess kept. The other statistics miss
    /// quality 20–30, which blurs little and adds no noise.
    /// </summary>
    private static float Blockiness(float[] luma, int w, int h)
    {
        if (w < 8 || h < 8) return 0;
        // One pass: every 8th line is also a 4th line, so each step is summed once overall and once per grid it lies on.
        double all = 0, on4 = 0, on8 = 0;
        long nAll = 0, n4 = 0, n8 = 0;
        void Add(float step, int line)
        {
            all += step; nAll++;
            if (line % 4 != 0) return;
            on4 += step; n4++;
            if (line % 8 != 0) return;
            on8 += step; n8++;
        }
        for (int y = 0; y < h; y++)
        {
            int row = y * w;
            for (int x = 1; x < w; x++) Add(Math.Abs(luma[row + x] - luma[row + x - 1]), x);
            if (y == 0) continue;
            for (int x = 1; x < w; x++) Add(Math.Abs(luma[row + x] - luma[row - w + x]), y);
        }
        static double Excess(double on, long nOn, double rest, long nRest) => nOn == 0 || rest <= 0 ? 0 : on / nOn / (rest / nRest) - 1;
        double excess8 = w < 16 || h < 16 ? 0 : Excess(on8, n8, all - on8, nAll - n8);
        return (float)Math.Max(0, Math.Max(Excess(on4, n4, all - on4, nAll - n4), excess8));
    }

    private static void LumaPass(float[] luma, int w, int h, float[] quality)
    {
        if (w < 3 || h < 3)
        {
            return;
        }
        double lapSum = 0, lapSq = 0, lapAbs = 0, noiseAbs = 0, gxSum = 0, gySum = 0, gradTop = 0, gradBottom = 0;
        long edges = 0, count = 0;
        int half = h / 2;
        // Every other row: the statistics are averages, and half the rows halve the cost.
        for (int y = 1; y < h - 1; y += 2)
        {
            int r0 = (y - 1) * w, r1 = y * w, r2 = (y + 1) * w;
            double rowGrad = 0;
            for (int x = 1; x < w - 1; x++)
            {
                float c = luma[r1 + x];
                float l = luma[r1 + x - 1], r = luma[r1 + x + 1], u = luma[r0 + x], d = luma[r2 + x];
                float lap = l + r + u + d - 4 * c;
                lapSum += lap; lapSq += lap * lap; lapAbs += Math.Abs(lap);
                // Immerkær's mask [1 -2 1; -2 4 -2; 1 -2 1] cancels image structure up to second order, leaving noise.
                float n = luma[r0 + x - 1] - 2 * u + luma[r0 + x + 1] - 2 * l + 4 * c - 2 * r + luma[r2 + x - 1] - 2 * d + luma[r2 + x + 1];
                noiseAbs += Math.Abs(n);
                float gx = r - l, gy = d - u;
                float ax = Math.Abs(gx), ay = Math.Abs(gy);
                gxSum += ax; gySum += ay;
                rowGrad += ax + ay;
                if (ax + ay > 24) edges++;
                count++;
            }
            if (y < half) gradTop += rowGrad; else gradBottom += rowGrad;
        }
        double lapMean = lapSum / count;
        quality[QualityFeatures.Sharpness] = (float)Math.Log(1 + Math.Max(0, lapSq / count - lapMean * lapMean));
        quality[QualityFeatures.Noise] = (float)(Math.Sqrt(Math.PI / 2) / 6 * noiseAbs / count);
        quality[QualityFeatures.EdgeDensity] = (float)edges / count;
        quality[QualityFeatures.EdgeBalance] = (float)(gxSum / Math.Max(1e-9, gxSum + gySum));
        quality[QualityFeatures.HighFreqRatio] = (float)(lapAbs / Math.Max(1e-9, gxSum + gySum));
        quality[QualityFeatures.TopBottomEdges] = (float)Math.Log((gradTop + 1) / (gradBottom + 1));
    }
}
