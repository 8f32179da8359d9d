namespace FunctionsDrift.Core.Features;

/// <summary>HSV histograms, as in the study's colour route (hue, saturation, value).</summary>
public static class ColorFeatures
{
    /// <summary>Bins per channel.</summary>
    public const int Bins = 32;
    public static readonly string[] Channels = ["hue", "saturation", "value"];

    /// <summary>Converts one RGB pixel to (h, s, v), each in [0, 1).</summary>
    public static (float H, float S, float V) ToHsv(byte r, byte g, byte b)
    {
        int max = Math.Max(r, Math.Max(g, b));
        int min = Math.Min(r, Math.Min(g, b));
        int delta = max - min;
        float v = max / 256f;
        float s = max == 0 ? 0f : delta / (max + 1e-3f) * 0.99999f;
        float h;
        if (delta == 0)
        {
            h = 0f;
        }
        else if (max == r)
        {
            h = (g - b) / (float)delta / 6f;
            if (h < 0) h += 1f;
        }
        else if (max == g)
        {
            h = ((b - r) / (float)delta + 2f) / 6f;
        }
        else
        {
            h = ((r - g) / (float)delta + 4f) / 6f;
        }
        if (h >= 1f) h = 0f;
        return (h, s, v);
    }
}
