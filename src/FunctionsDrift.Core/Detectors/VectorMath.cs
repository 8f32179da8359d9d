using System.Numerics.Tensors;

namespace FunctionsDrift.Core.Detectors;

internal static class VectorMath
{
    public static float[] Normalised(ReadOnlySpan<float> v)
    {
        var r = v.ToArray();
        float norm = TensorPrimitives.Norm(r);
        if (norm > 0)
        {
            TensorPrimitives.Divide(r, norm, r);
        }
        return r;
    }

    public static float Median(Span<float> values)
    {
        values.Sort();
        int n = values.Length;
        return n == 0 ? 0 : n % 2 == 1 ? values[n / 2] : 0.5f * (values[n / 2 - 1] + values[n / 2]);
    }

    /// <summary>Median and a robust scale (1.4826 × MAD) with a floor, per column of a row-major matrix.</summary>
    public static (float[] Median, float[] Scale) RobustColumns(IReadOnlyList<float[]> rows, float relativeFloor, float absoluteFloor)
    {
        int d = rows[0].Length, n = rows.Count;
        var median = new float[d];
        var scale = new float[d];
        var column = new float[n];
        for (int j = 0; j < d; j++)
        {
            for (int i = 0; i < n; i++) column[i] = rows[i][j];
            float med = Median(column);
            for (int i = 0; i < n; i++) column[i] = Math.Abs(rows[i][j] - med);
            float mad = Median(column) * 1.4826f;
            median[j] = med;
            scale[j] = Math.Max(mad, Math.Max(absoluteFloor, relativeFloor * Math.Abs(med)));
        }
        return (median, scale);
    }
}
