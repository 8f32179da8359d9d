using FunctionsDrift.Core.Features;

namespace FunctionsDrift.Core.Windows;

/// <summary>
/// Tests windows of a stream of images against the reference: single images can all pass their thresholds while the
/// stream as a whole drifts (gradual brightening, a new camera angle). Consecutive images of a camera are not a random
/// sample of the reference, so a window is judged against what windows of the same size look like <em>within</em> the
/// reference (<see cref="WindowNull"/>):
/// <list type="bullet">
/// <item>an MMD² (Gaussian kernel, median-heuristic bandwidth from the reference) on L2-normalised embeddings;</item>
/// <item>a Wasserstein-1 distance per quality statistic and per HSV channel mean (in reference standard deviations);</item>
/// <item>each statistic ranked among the reference windows' (each against the rest of the reference less a guard band),
/// the tests combined by Bonferroni;</item>
/// <item>the flagged-image rate with a Wilson 95 % interval, when per-image verdicts are known.</item>
/// </list>
/// Build once per reference (<see cref="Create"/>), then call <see cref="Test"/> per window or <see cref="Run"/> on a stream.
/// Thread-safe.
/// </summary>
public sealed class WindowDriftTester
{
    /// <summary>Window sizes whose reference windows are kept; time windows of many sizes evict the oldest.</summary>
    private const int NullCacheSize = 16;

    private readonly ReferenceWindows _reference;
    private readonly Dictionary<int, WindowNull> _nulls = [];
    private readonly Queue<int> _nullOrder = new();
    private readonly Lock _lock = new();

    public WindowOptions Options { get; }

    /// <summary>Names of the per-channel tests, in order: HSV channel means, then <see cref="QualityFeatures.Names"/>.</summary>
    public static IReadOnlyList<string> ChannelNames { get; } =
        [.. ColorFeatures.Channels.Select(c => c + "_mean"), .. QualityFeatures.Names];

    public bool HasEmbeddings => _reference.HasEmbeddings;

    /// <summary>Reference images given.</summary>
    public int ReferenceCount => _reference.OriginalCount;

    /// <summary>Reference images kept (≤ <see cref="WindowOptions.MaxReference"/>), in <see cref="ReferenceStretches"/> contiguous stretches.</summary>
    public int KeptReference => _reference.Count;

    public int ReferenceStretches => _reference.Segments;

    /// <summary>The Gaussian kernel's σ² (median heuristic on the reference embeddings).</summary>
    public double KernelSigma2 => _reference.Sigma2;

    private WindowDriftTester(ReferenceWindows reference, WindowOptions options)
    {
        _reference = reference;
        Options = options;
    }

    /// <summary>
    /// Prepares the reference side (normalised embeddings in time order, kernel bandwidth and Gram prefix sums, channel
    /// values). For chunked windows it also builds the reference windows of <see cref="WindowOptions.WindowSize"/> and
    /// fails with a clear message when the reference is too short to reach <see cref="WindowOptions.Alpha"/>.
    /// </summary>
    /// <param name="reference">Reference features in time order (file-name order for camera frames).</param>
    public static WindowDriftTester Create(IReadOnlyList<ImageFeatures> reference, WindowOptions options = default, CancellationToken ct = default)
    {
        if (options == default) options = new WindowOptions();
        if (reference.Count < 2) throw new DriftException("window tests need at least two reference images");
        options.Validate();
        var tester = new WindowDriftTester(ReferenceWindows.Create(reference, options.MaxReference, options.WindowSize, ChannelNames.Count), options);
        if (options.Period is null)
        {
            var error = tester.TooShort(tester.Null(options.WindowSize, ct));
            if (error is not null) throw new DriftException(error);
        }
        return tester;
    }

    /// <summary>The guard band for windows of <paramref name="size"/> images.</summary>
    public int Guard(int size) => Options.GuardBand ?? size;

    /// <summary>The reference windows of one size (built on first use, cached for <see cref="NullCacheSize"/> sizes).</summary>
    internal WindowNull Null(int size, CancellationToken ct = default)
    {
        lock (_lock)
        {
            if (_nulls.TryGetValue(size, out var cached)) return cached;
        }
        var built = WindowNull.Build(_reference, size, Guard(size), ct);
        lock (_lock)
        {
            if (_nulls.TryAdd(size, built))
            {
                _nullOrder.Enqueue(size);
                while (_nullOrder.Count > NullCacheSize) _nulls.Remove(_nullOrder.Dequeue());
            }
            return _nulls[size];
        }
    }

    /// <summary>
    /// The reference windows of <paramref name="size"/>: how many (sliding), how many effectively independent, and the
    /// smallest p-value ranks alone give, 1 / (K + 1); below it p-values come from the fitted tail.
    /// </summary>
    public (int Windows, double Effective, double SmallestRankPValue) NullSize(int size)
    {
        var n = Null(size);
        return (n.Windows, n.EffectiveWindows, n.SmallestRankPValue);
    }

    /// <summary>The "reference too short" message, or null when the reference holds enough independent windows.</summary>
    private string? TooShort(WindowNull n)
    {
        if (n.EffectiveWindows >= WindowNull.MinEffectiveWindows) return null;
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        int needed = MinimumReference(n.WindowSize, n.Guard);
        string cut = _reference.Segments > 1 ? $" (kept {_reference.Count} in {_reference.Segments} stretches)" : "";
        return $"the reference is too short for windows of {n.WindowSize} images: {_reference.OriginalCount} reference images{cut} hold " +
            $"{n.Windows} sliding windows of that size (guard band {n.Guard}) but only {n.EffectiveWindows.ToString("0.#", inv)} independent ones, " +
            $"and at least {WindowNull.MinEffectiveWindows} are needed to judge a window (ranks alone reach p = 1/(K + 1) = {n.SmallestRankPValue.ToString("G3", inv)}; " +
            $"smaller p-values, such as alpha {Options.Alpha.ToString("G3", inv)}, come from a tail fitted to them); " +
            $"use a contiguous reference of at least {needed} images (more if its images are strongly correlated over time) or smaller windows";
    }

    /// <summary>
    /// The shortest contiguous reference that holds <see cref="WindowNull.MinEffectiveWindows"/> independent windows of
    /// <paramref name="size"/> when consecutive windows are correlated only through their overlap.
    /// </summary>
    public static int MinimumReference(int size, int guard)
    {
        for (int n = size; ; n++)
        {
            int windows = 0;
            for (int o = 0; o + size <= n; o++)
            {
                int band = Math.Min(n, o + size + guard) - Math.Max(0, o - guard);
                if (n - band >= size) windows++;
            }
            if (windows >= WindowNull.MinEffectiveWindows * size) return n;
        }
    }

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

    /// <summary>Tests one window against the reference windows of its size.</summary>
    public WindowResult Test(IReadOnlyList<WindowSample> window, int index = 0, string? label = null, DateTimeOffset? start = null, DateTimeOffset? end = null)
    {
        label ??= $"{index}";
        DriftRate? rate = null;
        var verdicts = window.Where(s => s.Flagged is not null).ToList();
        if (verdicts.Count > 0)
        {
            int flagged = verdicts.Count(s => s.Flagged == true);
            var (lo, hi) = TwoSampleTests.Wilson(flagged, verdicts.Count);
            rate = new DriftRate(flagged, verdicts.Count, (double)flagged / verdicts.Count, lo, hi);
        }
        string? first = window.Count > 0 ? window[0].Image : null, last = window.Count > 0 ? window[^1].Image : null;
        WindowResult Untested(string note) => new(index, label, start, end, window.Count, null, null, [], rate, Tested: false, Drift: false) { Note = note, First = first, Last = last };
        if (window.Count < Math.Max(2, Options.MinImages)) return Untested("too few images");
        if (window.Count > WindowOptions.ReferenceLimit) return Untested($"more than {WindowOptions.ReferenceLimit} images");
        var n = Null(window.Count);
        if (TooShort(n) is not null) return Untested($"reference too short for {window.Count} images ({n.EffectiveWindows:0.#} independent reference windows)");

        var stats = new double[_reference.Tests];
        var features = window.Select(s => s.Features).ToList();
        bool mmd = HasEmbeddings && features.All(f => f.Embedding.Length == _reference.EmbeddingLength);
        _reference.StreamWindowStatistics(features, stats, mmd);
        var (p, adjusted, windowP) = n.Evaluate(stats);
        int t = HasEmbeddings ? 1 : 0;
        var channels = ChannelNames.Select((name, c) => new ChannelTest(name, stats[t + c], p[t + c], adjusted[t + c], adjusted[t + c] <= Options.Alpha)).ToList();
        return new WindowResult(index, label, start, end, window.Count, mmd ? stats[0] : null, mmd ? p[0] : null, channels, rate, Tested: true, Drift: windowP <= Options.Alpha)
        {
            PValue = windowP,
            First = first,
            Last = last,
            MmdAdjustedPValue = mmd ? adjusted[0] : null,
            MmdFlagged = mmd && adjusted[0] <= Options.Alpha,
        };
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

    /// <summary>The vector scaled to unit length (a copy; a zero vector stays as it is).</summary>
    public static float[] Normalise(float[] v)
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
