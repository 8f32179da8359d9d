namespace FunctionsDrift.Core.Calibration;

/// <summary>
/// Turns a detector score into a conformal p-value from out-of-fold reference scores:
/// p = (1 + #{calibration ≥ s}) / (n + 1), exactly, up to the largest calibration score. Above it the tail is
/// extrapolated with an exponential fitted to the top-k scores (peaks over threshold, GPD shape 0), so that levels
/// below 1/(n + 1) — as a Bonferroni split across detectors needs — can still be reached.
/// </summary>
public sealed class ConformalCalibrator
{
    private readonly float[] _sorted; // ascending

    /// <summary>Tail start: the k-th largest calibration score.</summary>
    public double TailStart { get; }
    /// <summary>Mean excess over <see cref="TailStart"/> of the top-k scores (exponential scale).</summary>
    public double TailScale { get; }
    public int TailCount { get; }
    public int Count => _sorted.Length;
    public ReadOnlySpan<float> Scores => _sorted;

    /// <param name="minTailScale">Smallest exponential scale, in the detector's own score units (see
    /// <see cref="Detectors.IDetectorKind.TailScaleFloor"/>).</param>
    public ConformalCalibrator(ReadOnlySpan<float> calibrationScores, double minTailScale = 0)
    {
        if (calibrationScores.Length < 2)
        {
            throw new DriftException("calibration needs at least two held-out reference scores");
        }
        _sorted = calibrationScores.ToArray();
        Array.Sort(_sorted);
        int n = _sorted.Length;
        TailCount = Math.Clamp(n / 10, Math.Min(5, n - 1), n - 1);
        TailStart = _sorted[n - 1 - TailCount];
        double excess = 0;
        for (int i = n - TailCount; i < n; i++)
        {
            excess += _sorted[i] - TailStart;
        }
        // A floor keeps a degenerate (all-equal) tail from making every higher score infinitely significant.
        double spread = Math.Max(1e-9, _sorted[n - 1] - _sorted[0]);
        TailScale = Math.Max(Math.Max(excess / TailCount, 1e-3 * spread + 1e-12), minTailScale);
    }

    /// <summary>The p-value of a score: small when the score is unusually high for the reference.</summary>
    public double PValue(double score)
    {
        if (double.IsNaN(score))
        {
            return 0;
        }
        int n = _sorted.Length;
        // # of calibration scores ≥ score.
        int idx = LowerBound(score);
        int atLeast = n - idx;
        double conformal = (1.0 + atLeast) / (n + 1.0);
        if (atLeast > 0)
        {
            // Inside the calibration range the conformal p-value is exact; a smaller tail estimate here would be anti-conservative.
            return conformal;
        }
        double tail = TailCount / (n + 1.0) * Math.Exp(-(score - TailStart) / TailScale);
        return Math.Max(1e-300, Math.Min(conformal, tail));
    }

    /// <summary>The smallest score whose p-value is at most <paramref name="level"/>.</summary>
    public double Threshold(double level)
    {
        int n = _sorted.Length;
        // Empirical part: need (1 + atLeast)/(n+1) ≤ level ⇒ atLeast ≤ level(n+1) − 1.
        int allowed = (int)Math.Floor(level * (n + 1) - 1 + 1e-9);
        if (allowed >= n)
        {
            return double.NegativeInfinity;
        }
        if (allowed >= 0)
        {
            // The score just above the (allowed+1)-th largest value.
            return Math.BitIncrement(_sorted[n - allowed - 1]);
        }
        // Below 1/(n+1): only scores above the maximum, where the exponential tail reaches the level.
        double t = Math.Max(Math.BitIncrement(_sorted[n - 1]), TailStart + TailScale * Math.Log(TailCount / ((n + 1.0) * level)));
        for (int i = 0; i < 64 && PValue(t) > level; i++)
        {
            t = Math.BitIncrement(t); // rounding in exp/log
        }
        return t;
    }

    private int LowerBound(double score)
    {
        int lo = 0, hi = _sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_sorted[mid] < score) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

}
