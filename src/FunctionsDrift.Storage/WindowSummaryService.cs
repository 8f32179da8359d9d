using System.Globalization;
using FunctionsDrift.Core;
using FunctionsDrift.Core.Augmentation;
using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Windows;
using Microsoft.Extensions.Logging;

namespace FunctionsDrift.Storage;

/// <summary>
/// Window-level drift for <c>GET /api/summary?windows=true</c> and <c>drift summary --windows</c>: reads the ok rows of a time
/// range with their stored features, groups them into UTC hours/days (or chunks of N), and runs <see cref="WindowDriftTester"/>
/// per window against the current reference version. Reference features come from <see cref="ReferenceFeatureStore"/>
/// (saved by the refit); versions published before that are re-extracted from the reference container once per process.
/// Testers are cached per reference version, window size and alpha (at most <see cref="TesterCacheSize"/>). Thread-safe; share one instance.
/// </summary>
public sealed class WindowSummaryService(
    StorageClients clients,
    DriftSettings settings,
    ModelStore models,
    ResultsStore results,
    Func<FeatureExtractor> extractor,
    ILogger<WindowSummaryService>? log = null)
{
    public const string Caveat =
        "Each window is ranked among the windows of the same size within the reference (each against the rest of the reference), " +
        "so the slow changes of a normal stream do not flag it. This assumes the reference covers the conditions the stream goes " +
        "through and is sampled at the stream's rate: a night hour against a daytime-only reference is still flagged. " +
        "With many windows expect about alpha x windows false alarms; no correction across windows is applied.";

    /// <summary>Testers kept (per reference version, window size and alpha); each holds at most <see cref="TesterBytes"/>.</summary>
    public const int TesterCacheSize = 4;

    /// <summary>
    /// The most one tester holds: the Gram prefix sums of the kept reference ((1000 + 1)² doubles) and its embeddings,
    /// plus the reference-window statistics of up to 16 window sizes.
    /// </summary>
    public const long TesterBytes = 16L << 20;

    private readonly ILogger _log = (ILogger?)log ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private readonly SemaphoreSlim _load = new(1, 1);
    private readonly Dictionary<(string Version, int WindowSize, double Alpha), WindowDriftTester> _testers = [];
    private readonly Queue<(string Version, int WindowSize, double Alpha)> _testerOrder = new();
    private readonly Lock _testerLock = new();
    private volatile CachedReference? _reference;

    private sealed record CachedReference(string Version, string Source, IReadOnlyList<ImageFeatures> Features);

    /// <summary>Testers cached now (at most <see cref="TesterCacheSize"/>).</summary>
    internal int CachedTesters
    {
        get
        {
            lock (_testerLock) return _testers.Count;
        }
    }

    public async Task<WindowSummary> RunAsync(WindowSummaryRequest request, CancellationToken ct)
    {
        var (until, since) = Range(request, DateTimeOffset.UtcNow);
        request.Validate(since, until);

        var (pointer, _) = await models.ReadPointerAsync(ct);
        if (pointer is null) throw new WindowSummaryException("no reference model published yet");
        var reference = await ReferenceAsync(pointer.Version, ct);
        var tester = Tester(reference, request, ct);
        int embeddingLength = reference.Features[0].Embedding.Length;

        var windows = request.WindowSize is null
            ? await CalendarWindowsAsync(tester, request, since, until, embeddingLength, ct)
            : await ChunkWindowsAsync(tester, request, since, until, embeddingLength, ct);
        var sizes = windows.List.Where(w => w.Tested).Select(w => w.TestedImages).Distinct().Order().Take(3)
            .Select(n => tester.NullSize(n) is var z ? $"{n} images: {z.Windows} sliding reference windows, {z.Effective.ToString("0.#", CultureInfo.InvariantCulture)} independent (ranks reach p = {z.SmallestRankPValue.ToString("G3", CultureInfo.InvariantCulture)}, smaller p from their fitted tail)" : "");
        string nullText = $"each window against the reference's own windows of its size (guard band = window size){(windows.List.Any(w => w.Tested) ? "; " + string.Join("; ", sizes) : "")}";
        return new WindowSummary(pointer.Version, reference.Source, reference.Features.Count, tester.HasEmbeddings, since, until,
            request.WindowSize is { } n ? $"chunks of {n} images" : request.Period == WindowPeriod.Day ? "UTC days" : "UTC hours",
            request.Alpha, request.Seed, windows.Rows, windows.Skipped, windows.List, nullText, Caveat);
    }

    internal static (DateTimeOffset Until, DateTimeOffset Since) Range(WindowSummaryRequest request, DateTimeOffset now)
    {
        var until = (request.Until ?? now).ToUniversalTime();
        if (request.Since is { } s) return (until, s.ToUniversalTime());
        bool days = request.WindowSize is null && request.Period == WindowPeriod.Day;
        var start = until - (days ? TimeSpan.FromDays(7) : TimeSpan.FromHours(24));
        return (until, Floor(start, days));
    }

    private static DateTimeOffset Floor(DateTimeOffset t, bool day)
    {
        t = t.ToUniversalTime();
        return day ? new DateTimeOffset(t.Year, t.Month, t.Day, 0, 0, 0, TimeSpan.Zero) : new DateTimeOffset(t.Year, t.Month, t.Day, t.Hour, 0, 0, TimeSpan.Zero);
    }

    private sealed class Bucket(int seed)
    {
        public readonly List<WindowSample> Reservoir = [];
        public readonly Random Rng = new(seed);
        public int Images;
        public int Flagged;
    }

    /// <summary>UTC hours or days; rows stream through a seeded reservoir per window, so memory stays bounded.</summary>
    private async Task<(List<WindowSummaryRow> List, int Rows, int Skipped)> CalendarWindowsAsync(
        WindowDriftTester tester, WindowSummaryRequest request, DateTimeOffset since, DateTimeOffset until, int embeddingLength, CancellationToken ct)
    {
        bool day = request.Period == WindowPeriod.Day;
        var buckets = new SortedDictionary<DateTimeOffset, Bucket>();
        int rows = 0, skipped = 0;
        // Table order (partition, row key) is deterministic, so the seeded reservoirs are reproducible.
        await foreach (var e in results.OkWithWindowFeaturesAsync(since, until, ct))
        {
            rows++;
            var sample = Sample(e, embeddingLength);
            if (sample is null)
            {
                skipped++;
                continue;
            }
            var key = Floor(e.BlobLastModified, day);
            if (!buckets.TryGetValue(key, out var b))
            {
                buckets[key] = b = new Bucket(SeedMixer.Mix(request.Seed, (int)(key.UtcTicks / TimeSpan.TicksPerHour)));
            }
            b.Images++;
            if (e.Drift) b.Flagged++;
            if (b.Reservoir.Count < request.MaxImagesPerWindow) b.Reservoir.Add(sample);
            else if (b.Rng.Next(b.Images) is var j && j < request.MaxImagesPerWindow) b.Reservoir[j] = sample;
        }
        var list = new List<WindowSummaryRow>(buckets.Count);
        foreach (var (start, b) in buckets)
        {
            ct.ThrowIfCancellationRequested();
            var label = day ? start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : start.ToString("yyyy-MM-dd'T'HH':00Z'", CultureInfo.InvariantCulture);
            var tested = b.Reservoir.OrderBy(s => s.Timestamp).ThenBy(s => s.Image, StringComparer.Ordinal).ToList();
            var result = tester.Test(tested, list.Count, label, start, start + (day ? TimeSpan.FromDays(1) : TimeSpan.FromHours(1)));
            list.Add(Row(result, b.Images, tested.Count, b.Flagged));
        }
        return (list, rows, skipped);
    }

    /// <summary>Chunks of N images in blob-time order (all rows in memory, capped by <see cref="WindowSummaryRequest.MaxRows"/>).</summary>
    private async Task<(List<WindowSummaryRow> List, int Rows, int Skipped)> ChunkWindowsAsync(
        WindowDriftTester tester, WindowSummaryRequest request, DateTimeOffset since, DateTimeOffset until, int embeddingLength, CancellationToken ct)
    {
        var stream = new List<WindowSample>();
        int rows = 0, skipped = 0;
        await foreach (var e in results.OkWithWindowFeaturesAsync(since, until, ct))
        {
            if (++rows > WindowSummaryRequest.MaxRows)
            {
                throw new WindowSummaryException($"more than {WindowSummaryRequest.MaxRows} rows in the range: narrow since/until, or use hour/day windows");
            }
            if (Sample(e, embeddingLength) is { } s) stream.Add(s);
            else skipped++;
        }
        stream = stream.OrderBy(s => s.Timestamp).ThenBy(s => s.Image, StringComparer.Ordinal).ToList();
        var list = new List<WindowSummaryRow>();
        foreach (var (label, start, end, items) in WindowDriftTester.Split(stream, tester.Options))
        {
            ct.ThrowIfCancellationRequested();
            var result = tester.Test(items, list.Count, label, start, end);
            list.Add(Row(result, items.Count, items.Count, items.Count(s => s.Flagged == true)));
        }
        return (list, rows, skipped);
    }

    private static WindowSample? Sample(ResultEntity e, int embeddingLength)
    {
        var f = e.ToFeatures();
        if (f is null || f.Embedding.Length != embeddingLength) return null;
        return new WindowSample(e.BlobName, f, e.BlobLastModified, e.Drift);
    }

    private static WindowSummaryRow Row(WindowResult r, int images, int tested, int flagged)
    {
        var (lo, hi) = TwoSampleTests.Wilson(flagged, images);
        double rate = images == 0 ? 0 : (double)flagged / images;
        // Rounding can leave the interval a hair inside 0 % or 100 %; keep the rate inside its interval.
        return new WindowSummaryRow(r.Label, r.Start, r.End, images, tested, flagged, rate, Math.Min(lo, rate), Math.Max(hi, rate),
            r.PValue, r.Mmd2, r.MmdPValue, r.FlaggedChannels.OrderBy(c => c.AdjustedPValue).ToList(), r.Tested, r.Drift, r.Verdict);
    }

    /// <summary>
    /// The tester for this reference version, window size and alpha: cached, at most <see cref="TesterCacheSize"/> of
    /// them (the oldest goes first), so that requests varying their parameters cannot grow memory.
    /// </summary>
    private WindowDriftTester Tester(CachedReference reference, WindowSummaryRequest request, CancellationToken ct)
    {
        var key = (reference.Version, request.WindowSize ?? 0, request.Alpha);
        lock (_testerLock)
        {
            if (_testers.TryGetValue(key, out var cached)) return cached;
        }
        WindowDriftTester tester;
        try
        {
            tester = WindowDriftTester.Create(reference.Features, request.ToWindowOptions(), ct);
        }
        catch (DriftException e)
        {
            throw new WindowSummaryException($"reference {reference.Version}: {e.Message}");
        }
        lock (_testerLock)
        {
            if (_testers.TryAdd(key, tester))
            {
                _testerOrder.Enqueue(key);
                while (_testerOrder.Count > TesterCacheSize) _testers.Remove(_testerOrder.Dequeue());
            }
            return _testers[key];
        }
    }

    /// <summary>The reference features of <paramref name="version"/>: cached, else the saved blob, else re-extracted.</summary>
    private async Task<CachedReference> ReferenceAsync(string version, CancellationToken ct)
    {
        var cached = _reference;
        if (cached?.Version == version) return cached;
        await _load.WaitAsync(ct);
        try
        {
            cached = _reference;
            if (cached?.Version == version) return cached;
            var store = new ReferenceFeatureStore(models.Container, _log);
            var features = await store.LoadAsync(version, ct);
            string source = "stored";
            if (features is null)
            {
                _log.LogInformation("No saved features for reference {Version}; re-extracting the reference container {Container}", version, settings.ReferenceContainer);
                features = await ExtractReferenceAsync(ct);
                source = "re-extracted";
            }
            if (features.Count < 2) throw new WindowSummaryException($"reference {version}: {features.Count} usable reference images, window tests need at least 2");
            // A new version: drop the testers of the old one.
            lock (_testerLock)
            {
                _testers.Clear();
                _testerOrder.Clear();
            }
            _reference = cached = new CachedReference(version, source, features);
            return cached;
        }
        finally
        {
            _load.Release();
        }
    }

    private async Task<IReadOnlyList<ImageFeatures>> ExtractReferenceAsync(CancellationToken ct)
    {
        var container = clients.Blobs.GetBlobContainerClient(settings.ReferenceContainer);
        var reference = await ReferenceImages.ExtractAsync(container, extractor(), Math.Max(1, Environment.ProcessorCount / 2), "Window tests", _log, ct);
        if (!reference.ContainerFound)
        {
            throw new WindowSummaryException($"no saved reference features and no reference container '{settings.ReferenceContainer}'");
        }
        return reference.Features;
    }
}
