namespace FunctionsDrift.Core.Augmentation;

/// <summary>
/// 4×5 row-major colour matrices in Skia's convention (<c>SKColorFilter.CreateColorMatrix</c>): columns R, G, B, A, translate,
/// with the translate column in 0–1 units.
/// </summary>
internal static class ColorMatrix
{
    private const float Lr = 0.299f, Lg = 0.587f, Lb = 0.114f;

    public static float[] Identity() =>
    [
        1, 0, 0, 0, 0,
        0, 1, 0, 0, 0,
        0, 0, 1, 0, 0,
        0, 0, 0, 1, 0,
    ];

    public static float[] Invert() =>
    [
        -1, 0, 0, 0, 1,
        0, -1, 0, 0, 1,
        0, 0, -1, 0, 1,
        0, 0, 0, 1, 0,
    ];

    /// <summary>Rec. 601 luma in all three channels, so R = G = B exactly.</summary>
    public static float[] Grayscale() =>
    [
        Lr, Lg, Lb, 0, 0,
        Lr, Lg, Lb, 0, 0,
        Lr, Lg, Lb, 0, 0,
        0, 0, 0, 1, 0,
    ];

    /// <summary>Output channel i takes source channel <paramref name="order"/>[i] (0 = R, 1 = G, 2 = B).</summary>
    public static float[] Permute(ReadOnlySpan<int> order)
    {
        var m = new float[20];
        for (int row = 0; row < 3; row++)
        {
            m[row * 5 + order[row]] = 1;
        }
        m[18] = 1;
        return m;
    }

    public static float[] Brightness(float factor) =>
    [
        factor, 0, 0, 0, 0,
        0, factor, 0, 0, 0,
        0, 0, factor, 0, 0,
        0, 0, 0, 1, 0,
    ];

    /// <summary>Scales the distance from mid-grey.</summary>
    public static float[] Contrast(float factor)
    {
        float t = 0.5f * (1 - factor);
        return
        [
            factor, 0, 0, 0, t,
            0, factor, 0, 0, t,
            0, 0, factor, 0, t,
            0, 0, 0, 1, 0,
        ];
    }

    /// <summary>Interpolates between luma (0) and the colour (1); above 1 over-saturates.</summary>
    public static float[] Saturation(float s)
    {
        float a = 1 - s;
        return
        [
            a * Lr + s, a * Lg, a * Lb, 0, 0,
            a * Lr, a * Lg + s, a * Lb, 0, 0,
            a * Lr, a * Lg, a * Lb + s, 0, 0,
            0, 0, 0, 1, 0,
        ];
    }

    /// <summary>Hue rotation about the grey axis (the SVG <c>feColorMatrix hueRotate</c> matrix).</summary>
    public static float[] HueRotate(float degrees)
    {
        float c = MathF.Cos(degrees * MathF.PI / 180), s = MathF.Sin(degrees * MathF.PI / 180);
        return
        [
            0.213f + c * 0.787f - s * 0.213f, 0.715f - c * 0.715f - s * 0.715f, 0.072f - c * 0.072f + s * 0.928f, 0, 0,
            0.213f - c * 0.213f + s * 0.143f, 0.715f + c * 0.285f + s * 0.140f, 0.072f - c * 0.072f - s * 0.283f, 0, 0,
            0.213f - c * 0.213f - s * 0.787f, 0.715f - c * 0.715f + s * 0.715f, 0.072f + c * 0.928f + s * 0.072f, 0, 0,
            0, 0, 0, 1, 0,
        ];
    }

    /// <summary>The matrix applying <paramref name="first"/> then <paramref name="then"/>.</summary>
    public static float[] Then(float[] first, float[] then)
    {
        var m = new float[20];
        for (int r = 0; r < 4; r++)
        {
            for (int c = 0; c < 5; c++)
            {
                float v = c == 4 ? then[r * 5 + 4] : 0;
                for (int k = 0; k < 4; k++)
                {
                    v += then[r * 5 + k] * first[k * 5 + c];
                }
                m[r * 5 + c] = v;
            }
        }
        return m;
    }
}
