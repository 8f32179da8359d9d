using FunctionsDrift.Core.Features;

namespace FunctionsDrift.Core.Windows;

/// <summary>
/// The reference side of the window tests, kept in time order: L2-normalised embeddings with the Gaussian kernel's Gram
/// matrix as 2-D prefix sums (so any block sum costs O(1)), and the per-channel values with their sort order and spread. It computes
/// the test statistics of a stream window against the whole reference, and of a reference window against the rest of
/// the reference less a guard band.
/// </summary>
internal sealed class ReferenceWindows
{
    private readonly float[][] _embeddings;
    private readonly double[] _prefix; // (n + 1) × (n + 1), empty without embeddings
    private readonly double _total; // Σ over the whole Gram matrix
    private readonly double[][] _channels; // [channel][image]
    private readonly int[][] _sorted; // [channel] image indices by ascending value
    private readonly double[] _scale; // [channel] standard deviation over the kept reference
    private readonly (int Start, int End)[] _segments;

    /// <summary>Kept images (≤ <see cref="WindowOptions.MaxReference"/>).</summary>
    public int Count { get; }

    /// <summary>Images the reference had before it was cut to <see cref="Count"/>.</summary>
    public int OriginalCount { get; }

    /// <summary>Contiguous stretches of the original reference that were kept (one when nothing was cut).</summary>
    public int Segments => _segments.Length;

    public bool HasEmbeddings => _embeddings.Length > 0;

    /// <summary>Length of the reference embeddings (0 without).</summary>
    public int EmbeddingLength => HasEmbeddings ? _embeddings[0].Length : 0;

    /// <summary>The Gaussian kernel's σ² (median heuristic on the kept reference embeddings).</summary>
    public double Sigma2 { get; }

    /// <summary>Tests per window: the MMD (with embeddings), then one per channel.</summary>
    public int Tests => (HasEmbeddings ? 1 : 0) + _channels.Length;

    private ReferenceWindows(IReadOnlyList<ImageFeatures> kept, (int, int)[] segments, int originalCount, int channels)
    {
        Count = kept.Count;
        OriginalCount = originalCount;
        _segments = segments;
        _channels = Enumerable.Range(0, channels).Select(c => kept.Select(f => WindowDriftTester.ChannelValue(f, c)).ToArray()).ToArray();
        _scale = _channels.Select(values =>
        {
            double mean = values.Average();
            double sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, values.Length - 1));
            return sd > 1e-12 && double.IsFinite(sd) ? sd : 1;
        }).ToArray();
        _sorted = _channels.Select(values =>
        {
            var idx = Enumerable.Range(0, values.Length).ToArray();
            Array.Sort(values.ToArray(), idx);
            return idx;
        }).ToArray();
        if (kept.Count >= 2 && kept.All(f => f.HasEmbedding) && kept.Select(f => f.Embedding.Length).Distinct().Count() == 1)
        {
            _embeddings = kept.Select(f => WindowDriftTester.Normalise(f.Embedding)).ToArray();
            Sigma2 = TwoSampleTests.MedianHeuristicSigma2(_embeddings);
            _prefix = GramPrefix(_embeddings, Sigma2);
            _total = _prefix[^1];
        }
        else
        {
            _embeddings = [];
            _prefix = [];
            Sigma2 = 1;
        }
    }

    /// <summary>
    /// Keeps at most <paramref name="maxReference"/> images in time order. A longer reference is cut into evenly spaced
    /// contiguous stretches (about five windows long each, at most ten), so reference windows stay consecutive images.
    /// </summary>
    public static ReferenceWindows Create(IReadOnlyList<ImageFeatures> reference, int maxReference, int windowSize, int channels)
    {
        int n = reference.Count;
        if (n <= maxReference)
        {
            return new ReferenceWindows(reference, [(0, n)], n, channels);
        }
        int stretches = Math.Clamp(maxReference / Math.Max(1, 5 * windowSize), 1, 10);
        int length = maxReference / stretches;
        var kept = new List<ImageFeatures>(stretches * length);
        var segments = new (int, int)[stretches];
        for (int k = 0; k < stretches; k++)
        {
            // One stretch: the most recent images; several: spread from the first to the last.
            int start = stretches == 1 ? n - length : (int)Math.Round((double)k * (n - length) / (stretches - 1));
            segments[k] = (kept.Count, kept.Count + length);
            for (int i = start; i < start + length; i++) kept.Add(reference[i]);
        }
        return new ReferenceWindows(kept, segments, n, channels);
    }

    private static double[] GramPrefix(float[][] x, double sigma2)
    {
        int n = x.Length, stride = n + 1;
        var gram = new double[stride * stride];
        // Row i, column j of the kernel goes to prefix cell (i + 1, j + 1); the prefix pass follows.
        for (int i = 0; i < n; i++)
        {
            gram[(i + 1) * stride + i + 1] = 1;
            for (int j = i + 1; j < n; j++)
            {
                double k = Math.Exp(-TwoSampleTests.SquaredDistance(x[i], x[j]) / (2 * sigma2));
                gram[(i + 1) * stride + j + 1] = k;
                gram[(j + 1) * stride + i + 1] = k;
            }
        }
        for (int i = 1; i <= n; i++)
        {
            double row = 0;
            for (int j = 1; j <= n; j++)
            {
                row += gram[i * stride + j];
                gram[i * stride + j] = gram[(i - 1) * stride + j] + row;
            }
        }
        return gram;
    }

    /// <summary>Σ k(x_i, x_j) over i ∈ [r0, r1), j ∈ [c0, c1).</summary>
    private double Block(int r0, int r1, int c0, int c1)
    {
        int s = Count + 1;
        return _prefix[r1 * s + c1] - _prefix[r0 * s + c1] - _prefix[r1 * s + c0] + _prefix[r0 * s + c0];
    }

    /// <summary>The start of every reference window of <paramref name="size"/> images whose rest (less the guard band) holds at least as many images.</summary>
    public List<int> WindowStarts(int size, int guard)
    {
        var starts = new List<int>();
        foreach (var (s0, s1) in _segments)
        {
            for (int o = s0; o + size <= s1; o++)
            {
                var (b0, b1) = Band(o, size, guard, s0, s1);
                if (Count - (b1 - b0) >= size) starts.Add(o);
            }
        }
        return starts;
    }

    private static (int B0, int B1) Band(int o, int size, int guard, int s0, int s1) =>
        (Math.Max(s0, o - guard), Math.Min(s1, o + size + guard));

    private (int S0, int S1) SegmentOf(int o)
    {
        foreach (var seg in _segments)
        {
            if (o >= seg.Start && o < seg.End) return seg;
        }
        throw new ArgumentOutOfRangeException(nameof(o));
    }

    /// <summary>The statistics of the reference window [o, o + size) against the reference less [o − guard, o + size + guard).</summary>
    public void ReferenceWindowStatistics(int o, int size, int guard, Span<double> stats)
    {
        var (s0, s1) = SegmentOf(o);
        var (b0, b1) = Band(o, size, guard, s0, s1);
        int n = Count, rest = n - (b1 - b0);
        int t = 0;
        if (HasEmbeddings)
        {
            double ww = Block(o, o + size, o, o + size) - size;
            double rr = _total - 2 * Block(b0, b1, 0, n) + Block(b0, b1, b0, b1) - rest;
            double wr = Block(o, o + size, 0, n) - Block(o, o + size, b0, b1);
            stats[t++] = ww / (size * (size - 1.0)) + rr / (rest * (rest - 1.0)) - 2 * wr / ((double)size * rest);
        }
        for (int c = 0; c < _channels.Length; c++)
        {
            stats[t++] = DistanceWindowVersusRest(c, o, o + size, b0, b1, size, rest);
        }
    }

    /// <summary>
    /// Wasserstein-1 distance between [w0, w1) and everything outside [b0, b1), in reference standard deviations: the
    /// area between the two distribution functions, walking the channel's sort order once.
    /// </summary>
    private double DistanceWindowVersusRest(int c, int w0, int w1, int b0, int b1, int size, int rest)
    {
        var order = _sorted[c];
        var values = _channels[c];
        int inWindow = 0, inRest = 0;
        double area = 0;
        for (int k = 0; k + 1 < order.Length; k++)
        {
            int i = order[k];
            if (i >= w0 && i < w1) inWindow++;
            else if (i < b0 || i >= b1) inRest++;
            double gap = values[order[k + 1]] - values[i];
            if (gap > 0) area += Math.Abs((double)inWindow / size - (double)inRest / rest) * gap;
        }
        return area / _scale[c];
    }

    /// <summary>
    /// The statistics of a stream window against the whole kept reference. Without usable embeddings in the window
    /// (<paramref name="mmd"/> false) its MMD statistic is −∞: that test then never counts as extreme.
    /// </summary>
    public void StreamWindowStatistics(IReadOnlyList<ImageFeatures> window, Span<double> stats, bool mmd)
    {
        int t = 0;
        if (HasEmbeddings && !mmd)
        {
            stats[t++] = double.NegativeInfinity;
        }
        else if (HasEmbeddings)
        {
            var y = window.Select(f => WindowDriftTester.Normalise(f.Embedding)).ToArray();
            int s = y.Length, n = Count;
            double yy = 0, xy = 0;
            for (int i = 0; i < s; i++)
            {
                for (int j = i + 1; j < s; j++) yy += Kernel(y[i], y[j]);
                for (int j = 0; j < n; j++) xy += Kernel(y[i], _embeddings[j]);
            }
            stats[t++] = 2 * yy / (s * (s - 1.0)) + (_total - n) / (n * (n - 1.0)) - 2 * xy / ((double)s * n);
        }
        for (int c = 0; c < _channels.Length; c++)
        {
            var values = new double[window.Count];
            for (int i = 0; i < values.Length; i++) values[i] = WindowDriftTester.ChannelValue(window[i], c);
            stats[t++] = TwoSampleTests.Wasserstein1(_channels[c], values) / _scale[c];
        }
    }

    private double Kernel(float[] a, float[] b) => Math.Exp(-TwoSampleTests.SquaredDistance(a, b) / (2 * Sigma2));
}
