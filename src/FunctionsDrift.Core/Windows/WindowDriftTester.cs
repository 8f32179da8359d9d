using FunctionsDrift.Core.Features;

namespace FunctionsDrift.Core.Windows;

/// <summary>
/// Tests windows of a stream of images against the reference: single images can all pass their thresholds while the
/// stream as a whole drifts (gradual brightening, a new camera angle). Each window gets
/// <list type="bullet">
/// <item>an MMD² permutation test (Gaussian kernel, median-heuristic bandwidth from the reference) on L2-normalised embeddings;</item>
/// <item>two-sample Kolmogorov–Smirnov tests per quality statistic and per HSV channel mean, Holm-corrected;</item>
/// <item>the flagged-image rate with a Wilson 95 % interval, when per-image verdicts are known.</item>
/// </list>
/// Build once per reference (<see cref="Create"/>), then call <see cref="Test"/> per window or <see cref="Run"/> on a stream.
/// </summary>
public sealed class WindowDriftTester
{
    private readonly List<float[]> _refEmbeddings;
    private readonly double[][] _refChannels; // [channel][image]
    private readonly double _sigma2;

    public WindowOptions Options { get; }

    /// <summary>Names of the per-channel tests, in order: HSV channel means, then <see cref="QualityFeatures.Names"/>.</summary>
    public static IReadOnlyList<string> ChannelNames { get; } =
        [.. ColorFeatures.Channels.Select(c => c + "_mean"), .. QualityFeatures.Names];

    public bool HasEmbeddings => _refEmbeddings.Count > 0;
    public int ReferenceCount { get; }

    private WindowDriftTester(IReadOnlyList<ImageFeatures> reference, WindowOptions options)
    {
        Options = options;
        ReferenceCount = reference.Count;
        _refChannels = ChannelNames.Select((_, c) => reference.Select(f => ChannelValue(f, c)).ToArray()).ToArray();
        var withEmbedding = reference.Where(f => f.HasEmbedding).ToList();
        if (withEmbedding.Count >= 2 && withEmbedding.Count == reference.Count)
        {
            var rng = new Random(options.Seed);
            var sample = withEmbedding.Count > options.MaxReference
                ? withEmbedding.OrderBy(_ => rng.Next()).Take(options.MaxReference).ToList()
                : withEmbedding;
            _refEmbeddings = sample.Select(f => Normalise(f.Embedding)).ToList();
            _sigma2 = TwoSampleTests.MedianHeuristicSigma2(_refEmbeddings);
        }
        else
        {
            _refEmbeddings = [];
            _sigma2 = 1;
        }
    }

    /// <summary>Prepares the reference side (normalised, subsampled embeddings, kernel bandwidth, channel values).</summary>
    public static WindowDriftTester Create(IReadOnlyList<ImageFeatures> reference, WindowOptions options = default)
    {
        if (options == default) options = new WindowOptions();
        if (reference.Count < 2) throw new DriftException("window tests need at least two reference images");
        if (options.Permutations < 1) throw new DriftException("window tests need at least one permutation");
        if (options.Alpha is <= 0 or >= 1) throw new DriftException("window alpha must be in (0, 1)");
        if (options.WindowSize < 2) throw new DriftException("windows need at least two images");
        return new WindowDriftTester(reference, options);
    }

    /// <summary>The Gaussian kernel's σ² (median heuristic on the reference embeddings).</summary>
    public double KernelSigma2 => _sigma2;

    /// <summary>Splits the stream into windows (time windows when <see cref="WindowOptions.Period"/> is set) and tests each.</summary>
    public IReadOnlyList<WindowResult> Run(IReadOnlyList<WindowSample> stream, CancellationToken ct = default)
    {
        var results = new List<WindowResult>();
        foreach (var (label, start, end, items) in Split(stream, Options))
        {
            ct.ThrowIfCancellationRequested();
            results.Add(Test(items, results.Count, label, start, end));
        }
        return results;
    }

    /// <summary>
    /// Windows in stream order: chunks of <see cref="WindowOptions.WindowSize"/> (sorted by time first when every sample
    /// has a timestamp), or fixed time windows of <see cref="WindowOptions.Period"/> aligned to the first timestamp.
    /// </summary>
    public static IEnumerable<(string Label, DateTimeOffset? Start, DateTimeOffset? End, IReadOnlyList<WindowSample> Items)> Split(IReadOnlyList<WindowSample> stream, WindowOptions options)
    {
        bool timed = stream.Count > 0 && stream.All(s => s.Timestamp is not null);
        var ordered = timed ? stream.OrderBy(s => s.Timestamp!.Value).ToList() : stream.ToList();
        if (options.Period is { } period)
        {
            if (!timed) throw new DriftException("time windows need a timestamp on every image");
            if (period <= TimeSpan.Zero) throw new DriftException("the window period must be positive");
            if (ordered.Count == 0) yield break;
            var origin = ordered[0].Timestamp!.Value;
            foreach (var g in ordered.GroupBy(s => (long)((s.Timestamp!.Value - origin) / period)))
            {
                var start = origin + g.Key * period;
                yield return (start.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture), start, start + period, g.ToList());
            }
            yield break;
        }
        for (int i = 0; i < ordered.Count; i += options.WindowSize)
        {
            var items = ordered.Skip(i).Take(options.WindowSize).ToList();
            yield return ($"{i + 1}-{i + items.Count}",
                timed ? items[0].Timestamp : null,
                timed ? items[^1].Timestamp : null,
                items);
        }
    }

    /// <summary>Tests one window against the reference.</summary>
    public WindowResult Test(IReadOnlyList<WindowSample> window, int index = 0, string? label = null, DateTimeOffset? start = null, DateTimeOffset? end = null)
    {
        label ??= $"{index}";
        double half = Options.Alpha / 2;
        DriftRate? rate = null;
        var verdicts = window.Where(s => s.Flagged is not null).ToList();
        if (verdicts.Count > 0)
        {
            int flagged = verdicts.Count(s => s.Flagged == true);
            var (lo, hi) = TwoSampleTests.Wilson(flagged, verdicts.Count);
            rate = new DriftRate(flagged, verdicts.Count, (double)flagged / verdicts.Count, lo, hi);
        }
        if (window.Count < Math.Max(2, Options.MinImages))
        {
            return new WindowResult(index, label, start, end, window.Count, null, null, [], rate, Tested: false, Drift: false);
        }

        double? mmd = null, mmdP = null;
        bool mmdFlag = false;
        if (HasEmbeddings && window.All(s => s.Features.HasEmbedding))
        {
            var y = window.Select(s => Normalise(s.Features.Embedding)).ToList();
            // Seed per window so windows are independent yet reproducible (SeedMixer, not HashCode: the same in every process).
            var (m2, p) = TwoSampleTests.MmdPermutationTest(_refEmbeddings, y, _sigma2, Options.Permutations, Augmentation.SeedMixer.Mix(Options.Seed, index));
            mmd = m2;
            mmdP = p;
            mmdFlag = p <= half;
        }

        var raw = new double[ChannelNames.Count];
        var stats = new double[ChannelNames.Count];
        for (int c = 0; c < raw.Length; c++)
        {
            var values = window.Select(s => ChannelValue(s.Features, c)).ToArray();
            (stats[c], raw[c]) = TwoSampleTests.KolmogorovSmirnov(_refChannels[c], values);
        }
        var adjusted = TwoSampleTests.Holm(raw);
        var channels = ChannelNames.Select((n, c) => new ChannelTest(n, stats[c], raw[c], adjusted[c], adjusted[c] <= half)).ToList();
        bool drift = mmdFlag || channels.Any(c => c.Flagged);
        return new WindowResult(index, label, start, end, window.Count, mmd, mmdP, channels, rate, Tested: true, Drift: drift) { MmdFlagged = mmdFlag };
    }

    /// <summary>Channel c: the mean of an HSV histogram (bin centres), or a quality statistic.</summary>
    internal static double ChannelValue(ImageFeatures f, int c)
    {
        int hsvChannels = ColorFeatures.Channels.Length;
        if (c < hsvChannels)
        {
            int bins = ColorFeatures.Bins;
            if (f.Hsv.Length < (c + 1) * bins) return double.NaN;
            double mean = 0, mass = 0;
            for (int b = 0; b < bins; b++)
            {
                double w = f.Hsv[c * bins + b];
                mean += w * (b + 0.5) / bins;
                mass += w;
            }
            return mass > 0 ? mean / mass : 0;
        }
        int q = c - hsvChannels;
        return q < f.Quality.Length ? f.Quality[q] : double.NaN;
    }

    internal static float[] Normalise(float[] v)
    {
        double n = 0;
        foreach (var x in v) n += (double)x * x;
        n = Math.Sqrt(n);
        if (n < 1e-12) return (float[])v.Clone();
        var r = new float[v.Length];
        for (int i = 0; i < v.Length; i++) r[i] = (float)(v[i] / n);
        return r;
    }
}
