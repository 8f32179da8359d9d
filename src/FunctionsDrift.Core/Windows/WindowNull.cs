namespace FunctionsDrift.Core.Windows;

/// <summary>
/// What windows of one size look like within the reference: the test statistics of every reference window, sliding one
/// image at a time, each against the rest of the reference less a guard band.
/// <para>
/// Sliding windows overlap, so their statistics are far from independent: the p-value counts them as
/// K = m / τ effective windows, τ being the largest integrated autocorrelation time of the reference windows' statistics
/// (at least the window size, which is what the overlap alone gives). A statistic s gets
/// p = (1 + K · #{reference-window statistics ≥ s} / m) / (K + 1); beyond the largest reference window, where that stops
/// at 1 / (K + 1), the tail is extrapolated with an exponential fitted to the top half of them.
/// </para>
/// <para>
/// Each test gets its own p-value that way, and the tests are combined by Bonferroni (p × number of tests), which holds
/// under any dependence between them. Per-test tails are nearer to exponential than the tail of a maximum over tests,
/// whose heavy upper end a short reference cannot show.
/// </para>
/// </summary>
internal sealed class WindowNull
{
    /// <summary>Fewer effective reference windows than this and the reference is too short: the tail fit needs some.</summary>
    public const double MinEffectiveWindows = 5;

    private readonly Tail[] _tests;

    public int WindowSize { get; }
    public int Guard { get; }

    /// <summary>Reference windows m (sliding).</summary>
    public int Windows { get; }

    /// <summary>Effective independent reference windows K = m / τ.</summary>
    public double EffectiveWindows { get; }

    /// <summary>The smallest p-value from ranks alone, 1 / (K + 1); smaller ones are extrapolated.</summary>
    public double SmallestRankPValue => 1.0 / (EffectiveWindows + 1);

    private WindowNull(int size, int guard, double[][] stats)
    {
        WindowSize = size;
        Guard = guard;
        Windows = stats.Length == 0 ? 0 : stats[0].Length;
        // The autocorrelation time of the series of reference-window statistics, the slowest of the tests.
        double tau = size;
        foreach (var series in stats) tau = Math.Max(tau, AutocorrelationTime(series));
        EffectiveWindows = Windows / tau;
        _tests = stats.Select(s => new Tail(s, EffectiveWindows)).ToArray();
    }

    public static WindowNull Build(ReferenceWindows reference, int size, int guard, CancellationToken ct = default)
    {
        var starts = reference.WindowStarts(size, guard);
        var stats = new double[reference.Tests][];
        for (int t = 0; t < stats.Length; t++) stats[t] = new double[starts.Count];
        var row = new double[reference.Tests];
        for (int k = 0; k < starts.Count; k++)
        {
            ct.ThrowIfCancellationRequested();
            reference.ReferenceWindowStatistics(starts[k], size, guard, row);
            for (int t = 0; t < row.Length; t++) stats[t][k] = row[t];
        }
        return new WindowNull(size, guard, stats);
    }

    /// <summary>
    /// τ = 1 + 2 Σ ρ_k over the lags before the autocorrelation of the series first drops below 0.05 (at most half the
    /// series): how many consecutive values carry the information of one.
    /// </summary>
    internal static double AutocorrelationTime(IReadOnlyList<double> series)
    {
        int n = series.Count;
        if (n < 3) return 1;
        double mean = series.Average();
        double var0 = series.Sum(v => (v - mean) * (v - mean)) / n;
        if (var0 <= 1e-300) return 1;
        double tau = 1;
        for (int lag = 1; lag < n / 2; lag++)
        {
            double c = 0;
            for (int i = 0; i + lag < n; i++) c += (series[i] - mean) * (series[i + lag] - mean);
            double rho = c / n / var0;
            if (rho < 0.05) break;
            tau += 2 * rho;
        }
        return tau;
    }

    /// <summary>Each test's own p-value, each Bonferroni-adjusted for all the tests, and the window's p-value (the smallest adjusted).</summary>
    public (double[] P, double[] Adjusted, double Window) Evaluate(ReadOnlySpan<double> stats)
    {
        int tests = _tests.Length;
        var p = new double[tests];
        var adjusted = new double[tests];
        double window = 1;
        for (int t = 0; t < tests; t++)
        {
            p[t] = _tests[t].PValue(stats[t]);
            adjusted[t] = Math.Min(1, tests * p[t]);
            window = Math.Min(window, adjusted[t]);
        }
        return (p, adjusted, window);
    }

    /// <summary>The upper tail of one set of reference-window statistics: ranks with K effective windows, then an exponential.</summary>
    private sealed class Tail
    {
        private readonly double[] _sorted; // ascending
        private readonly double _k;
        private readonly double _max, _meanExcess;

        public Tail(double[] values, double effective)
        {
            _sorted = values.Order().ToArray();
            _k = effective;
            _max = _sorted.Length > 0 ? _sorted[^1] : 0;
            // Exponential fit to the top half: its mean excess over the median. Sliding windows of a short reference hold
            // few independent values, and the top 10 % would be one excursion.
            int top = Math.Min(_sorted.Length, Math.Max(5, _sorted.Length / 2));
            if (top >= 2)
            {
                double u = _sorted[^top];
                double excess = 0;
                for (int i = _sorted.Length - top; i < _sorted.Length; i++) excess += _sorted[i] - u;
                _meanExcess = excess / (top - 1);
            }
            if (!(_meanExcess > 1e-12)) _meanExcess = 1e-12;
        }

        public double PValue(double s)
        {
            if (_sorted.Length == 0 || double.IsNegativeInfinity(s)) return 1;
            int atLeast = _sorted.Length - LowerBound(s);
            double rank = (1 + _k * atLeast / _sorted.Length) / (_k + 1);
            if (atLeast > 0) return Math.Min(1, rank);
            return rank * Math.Exp(-(s - _max) / _meanExcess);
        }

        private int LowerBound(double v)
        {
            int lo = 0, hi = _sorted.Length;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (_sorted[mid] < v) lo = mid + 1;
                else hi = mid;
            }
            return lo;
        }
    }
}
