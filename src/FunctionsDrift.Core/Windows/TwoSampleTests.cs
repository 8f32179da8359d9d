namespace FunctionsDrift.Core.Windows;

/// <summary>
/// The statistics behind window-level drift: Gaussian-kernel MMD² with a permutation test, the two-sample
/// Kolmogorov–Smirnov test, Holm's step-down correction and the Wilson score interval.
/// </summary>
public static class TwoSampleTests
{
    /// <summary>z for a two-sided 95 % interval.</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>
    /// Unbiased MMD² (Gretton et al. 2012, eq. 3) between the first <paramref name="m"/> rows of a pooled Gram matrix
    /// and the rest, with the group membership given by <paramref name="order"/> (pool indices; the first m are group X).
    /// </summary>
    public static double Mmd2Unbiased(double[,] gram, ReadOnlySpan<int> order, int m)
    {
        int total = order.Length;
        int n = total - m;
        if (m < 2 || n < 2)
        {
            throw new ArgumentException("MMD² needs at least two points in each sample");
        }
        double sxx = 0, syy = 0, sxy = 0;
        for (int a = 0; a < total; a++)
        {
            int i = order[a];
            bool ix = a < m;
            for (int b = a + 1; b < total; b++)
            {
                double k = gram[i, order[b]];
                bool jx = b < m;
                if (ix && jx) sxx += k;
                else if (!ix && !jx) syy += k;
                else sxy += k;
            }
        }
        // Off-diagonal pairs were counted once: double them for the Σ_{i≠j} sums.
        return 2 * sxx / (m * (m - 1.0)) + 2 * syy / (n * (n - 1.0)) - 2 * sxy / ((double)m * n);
    }

    /// <summary>Gaussian kernel Gram matrix exp(−‖a−b‖² / (2σ²)) over the pooled rows.</summary>
    public static double[,] GaussianGram(IReadOnlyList<float[]> pool, double sigma2)
    {
        int total = pool.Count;
        var gram = new double[total, total];
        for (int i = 0; i < total; i++)
        {
            gram[i, i] = 1;
            for (int j = i + 1; j < total; j++)
            {
                double k = Math.Exp(-SquaredDistance(pool[i], pool[j]) / (2 * sigma2));
                gram[i, j] = k;
                gram[j, i] = k;
            }
        }
        return gram;
    }

    /// <summary>The median heuristic: σ² = median pairwise squared distance / 2, so a typical pair has k = e^(−1/2)... e^(−1).</summary>
    public static double MedianHeuristicSigma2(IReadOnlyList<float[]> rows)
    {
        var d = new List<double>(rows.Count * (rows.Count - 1) / 2);
        for (int i = 0; i < rows.Count; i++)
        {
            for (int j = i + 1; j < rows.Count; j++)
            {
                d.Add(SquaredDistance(rows[i], rows[j]));
            }
        }
        if (d.Count == 0)
        {
            return 1;
        }
        d.Sort();
        double median = d.Count % 2 == 1 ? d[d.Count / 2] : 0.5 * (d[d.Count / 2 - 1] + d[d.Count / 2]);
        return median > 1e-12 ? median / 2 : 1;
    }

    /// <summary>
    /// Permutation test of MMD² between <paramref name="x"/> and <paramref name="y"/>:
    /// p = (k + 1) / (permutations + 1), k = # permuted MMD² ≥ observed. Seeded, so the same input gives the same p.
    /// </summary>
    public static (double Mmd2, double PValue) MmdPermutationTest(IReadOnlyList<float[]> x, IReadOnlyList<float[]> y, double sigma2, int permutations, int seed)
    {
        var pool = new List<float[]>(x.Count + y.Count);
        pool.AddRange(x);
        pool.AddRange(y);
        var gram = GaussianGram(pool, sigma2);
        var order = Enumerable.Range(0, pool.Count).ToArray();
        double observed = Mmd2Unbiased(gram, order, x.Count);
        var rng = new Random(seed);
        int atLeast = 0;
        for (int p = 0; p < permutations; p++)
        {
            rng.Shuffle(order);
            // A tiny tolerance so that permutations equal to the observed split count as "at least as extreme".
            if (Mmd2Unbiased(gram, order, x.Count) >= observed - 1e-12)
            {
                atLeast++;
            }
        }
        return (observed, (atLeast + 1.0) / (permutations + 1.0));
    }

    /// <summary>Two-sample Kolmogorov–Smirnov statistic D and its asymptotic p-value (with Stephens' small-sample correction).</summary>
    public static (double D, double PValue) KolmogorovSmirnov(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length == 0 || b.Length == 0)
        {
            return (0, 1);
        }
        var x = a.ToArray();
        var y = b.ToArray();
        Array.Sort(x);
        Array.Sort(y);
        int i = 0, j = 0;
        double d = 0;
        while (i < x.Length && j < y.Length)
        {
            double v = Math.Min(x[i], y[j]);
            while (i < x.Length && x[i] <= v) i++;
            while (j < y.Length && y[j] <= v) j++;
            d = Math.Max(d, Math.Abs((double)i / x.Length - (double)j / y.Length));
        }
        double ne = (double)x.Length * y.Length / (x.Length + y.Length);
        double sq = Math.Sqrt(ne);
        return (d, KolmogorovQ((sq + 0.12 + 0.11 / sq) * d));
    }

    /// <summary>
    /// Wasserstein-1 (earth mover's) distance between two samples: the area between their empirical distribution
    /// functions. Unlike the KS D it keeps growing with the size of a shift instead of stopping at 1.
    /// </summary>
    public static double Wasserstein1(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length == 0 || b.Length == 0) return 0;
        var x = a.ToArray();
        var y = b.ToArray();
        Array.Sort(x);
        Array.Sort(y);
        int i = 0, j = 0;
        double area = 0, at = Math.Min(x[0], y[0]);
        while (i < x.Length || j < y.Length)
        {
            double next = j >= y.Length || (i < x.Length && x[i] <= y[j]) ? x[i] : y[j];
            area += Math.Abs((double)i / x.Length - (double)j / y.Length) * (next - at);
            at = next;
            while (i < x.Length && x[i] <= at) i++;
            while (j < y.Length && y[j] <= at) j++;
        }
        return area;
    }

    /// <summary>Q_KS(λ) = 2 Σ (−1)^(k−1) e^(−2k²λ²), the tail of the Kolmogorov distribution.</summary>
    public static double KolmogorovQ(double lambda)
    {
        if (lambda < 1e-3)
        {
            return 1;
        }
        double sum = 0, sign = 1;
        for (int k = 1; k <= 100; k++)
        {
            double term = sign * Math.Exp(-2.0 * k * k * lambda * lambda);
            sum += term;
            if (Math.Abs(term) < 1e-12 * Math.Abs(sum))
            {
                break;
            }
            sign = -sign;
        }
        return Math.Clamp(2 * sum, 0, 1);
    }

    /// <summary>Holm's step-down adjusted p-values (controls the family-wise error rate; valid under any dependence).</summary>
    public static double[] Holm(ReadOnlySpan<double> p)
    {
        int m = p.Length;
        var idx = Enumerable.Range(0, m).ToArray();
        var copy = p.ToArray();
        Array.Sort(idx, (a, b) => copy[a].CompareTo(copy[b]));
        var adjusted = new double[m];
        double running = 0;
        for (int r = 0; r < m; r++)
        {
            running = Math.Max(running, Math.Min(1, (m - r) * copy[idx[r]]));
            adjusted[idx[r]] = running;
        }
        return adjusted;
    }

    /// <summary>Wilson score interval for a binomial proportion.</summary>
    public static (double Low, double High) Wilson(int successes, int trials, double z = Z95)
    {
        if (trials <= 0)
        {
            return (0, 1);
        }
        double n = trials;
        double p = successes / n;
        double z2 = z * z;
        double denom = 1 + z2 / n;
        double centre = (p + z2 / (2 * n)) / denom;
        double half = z / denom * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    public static double SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = a[i] - b[i];
            s += d * d;
        }
        return s;
    }
}
