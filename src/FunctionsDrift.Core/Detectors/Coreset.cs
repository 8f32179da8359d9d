namespace FunctionsDrift.Core.Detectors;

/// <summary>
/// Greedy k-centre coreset (Sener and Savarese, 2018; PatchCore's memory-bank subsampling): repeatedly keep the point
/// farthest from everything kept so far, so a small bank still covers every kind of patch, rare ones included.
/// Deterministic: it starts from the first point.
/// </summary>
internal static class Coreset
{
    /// <summary>Rows of <paramref name="points"/> (n × d, row-major) kept: <paramref name="k"/> of them, in selection order.</summary>
    public static float[] Select(float[] points, int d, int k)
    {
        int n = points.Length / d;
        if (k >= n) return points;
        var minDist = new float[n];
        Array.Fill(minDist, float.MaxValue);
        var bank = new float[k * d];
        int next = 0;
        for (int c = 0; c < k; c++)
        {
            points.AsSpan(next * d, d).CopyTo(bank.AsSpan(c * d, d));
            var centre = bank.AsMemory(c * d, d);
            // Update every point's distance to the kept set; the farthest point is the next centre.
            int chunks = Environment.ProcessorCount;
            var best = new (float Dist, int Index)[chunks];
            Parallel.For(0, chunks, t =>
            {
                int lo = (int)((long)n * t / chunks), hi = (int)((long)n * (t + 1) / chunks);
                var ctr = centre.Span;
                float far = -1;
                int farIndex = lo;
                for (int i = lo; i < hi; i++)
                {
                    float dist = System.Numerics.Tensors.TensorPrimitives.Distance(points.AsSpan(i * d, d), ctr);
                    if (dist < minDist[i]) minDist[i] = dist;
                    if (minDist[i] > far) { far = minDist[i]; farIndex = i; }
                }
                best[t] = (far, farIndex);
            });
            next = best.MaxBy(b => b.Dist).Index;
        }
        return bank;
    }
}
