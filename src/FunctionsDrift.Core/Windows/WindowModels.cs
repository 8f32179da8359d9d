using FunctionsDrift.Core.Features;

namespace FunctionsDrift.Core.Windows;

/// <summary>Settings of the window-level drift test.</summary>
public readonly record struct WindowOptions
{
    public WindowOptions() { }

    /// <summary>The defaults, shared by every front end (CLI options, the HTTP query, the storage request).</summary>
    public static WindowOptions Defaults { get; } = new();

    /// <summary>
    /// The most reference images the tests keep (and the largest window). The reference Gram matrix and its prefix sums
    /// take (n + 1)² doubles: 8 MiB at the default 1000, 32 MiB at this limit.
    /// </summary>
    public const int ReferenceLimit = 2000;

    /// <summary>Images per window when windows are chunks (no <see cref="Period"/>).</summary>
    public int WindowSize { get; init; } = 50;

    /// <summary>Time windows of this length (needs timestamps); null = chunks of <see cref="WindowSize"/>.</summary>
    public TimeSpan? Period { get; init; }

    /// <summary>
    /// Per-window false-alarm level. Ranks among the reference windows reach p = 1 / (K + 1), K = the number of
    /// independent reference windows of the window's size; smaller p-values come from an exponential tail fitted to them.
    /// </summary>
    public double Alpha { get; init; } = 0.01;

    /// <summary>
    /// Reference images kept, in time order. A longer reference is cut to evenly spaced contiguous stretches, so that a
    /// reference window is still made of consecutive images, as a window of the stream is.
    /// </summary>
    public int MaxReference { get; init; } = 1000;

    /// <summary>
    /// Reference images left out on each side of a reference window when it is compared with the rest of the reference,
    /// so that its own near-duplicate neighbours do not hide how far it is from the rest; null = the window size.
    /// </summary>
    public int? GuardBand { get; init; }

    /// <summary>Windows with fewer images than this are reported but not tested.</summary>
    public int MinImages { get; init; } = 5;

    /// <summary>
    /// Throws <see cref="WindowOptionsException"/> naming the first setting out of its bounds. The tester, the CLI and the
    /// storage request all call this, so the bounds are written once.
    /// </summary>
    public void Validate()
    {
        if (WindowSize is < 2 or > ReferenceLimit) throw new WindowOptionsException($"the window size must be between 2 and {ReferenceLimit} images, not {WindowSize}");
        if (Period is { } period && period <= TimeSpan.Zero) throw new WindowOptionsException("the window period must be positive");
        if (Alpha is not (> 0 and < 1)) throw new WindowOptionsException($"alpha must be in (0, 1), not {Alpha.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        if (MaxReference is < 2 or > ReferenceLimit) throw new WindowOptionsException($"the kept reference must be between 2 and {ReferenceLimit} images, not {MaxReference}");
        if (GuardBand is < 0) throw new WindowOptionsException("the guard band cannot be negative");
    }
}

/// <summary>One image of the stream: its features, and optionally when it was scored and whether it was flagged alone.</summary>
public sealed record WindowSample(string Image, ImageFeatures Features, DateTimeOffset? Timestamp = null, bool? Flagged = null);

/// <summary>One per-channel test.</summary>
/// <param name="Channel">Quality statistic name, or <c>hue_mean</c>/<c>saturation_mean</c>/<c>value_mean</c>.</param>
/// <param name="Statistic">Wasserstein-1 distance between the window's and the reference's values, in reference standard deviations.</param>
/// <param name="PValue">This channel's own p-value against the reference windows of the same size.</param>
/// <param name="AdjustedPValue">Adjusted for all the window's tests (Bonferroni over the window's tests).</param>
/// <param name="Flagged">Adjusted p ≤ α.</param>
public sealed record ChannelTest(string Channel, double Statistic, double PValue, double AdjustedPValue, bool Flagged);

/// <summary>The flagged-image rate of a window and its Wilson 95 % interval.</summary>
public sealed record DriftRate(int Flagged, int Scored, double Rate, double Low, double High);

/// <summary>The verdict on one window.</summary>
/// <param name="Index">0-based window number.</param>
/// <param name="Label">"1–50" for chunks, the start time for time windows.</param>
/// <param name="Mmd2">Unbiased MMD² of the normalised embeddings against the reference (null without embeddings or when untested).</param>
/// <param name="MmdPValue">The MMD's own p-value against the reference windows of the same size.</param>
/// <param name="Drift">True when <see cref="PValue"/> ≤ α.</param>
public sealed record WindowResult(
    int Index,
    string Label,
    DateTimeOffset? Start,
    DateTimeOffset? End,
    int Images,
    double? Mmd2,
    double? MmdPValue,
    IReadOnlyList<ChannelTest> Channels,
    DriftRate? Rate,
    bool Tested,
    bool Drift)
{
    public IEnumerable<ChannelTest> FlaggedChannels => Channels.Where(c => c.Flagged);

    /// <summary>The window's first image, in stream order.</summary>
    public string? First { get; init; }

    /// <summary>The window's last image, in stream order.</summary>
    public string? Last { get; init; }

    /// <summary>
    /// The window's p-value: its smallest test p-value, ranked among the reference windows' smallest (null when untested).
    /// </summary>
    public double? PValue { get; init; }

    /// <summary>The MMD p-value adjusted for all the window's tests.</summary>
    public double? MmdAdjustedPValue { get; init; }

    /// <summary>Set by the tester: the adjusted MMD p-value is at most α.</summary>
    public bool MmdFlagged { get; init; }

    /// <summary>Why an untested window was not tested (too few images, a reference too short for its size).</summary>
    public string? Note { get; init; }

    /// <summary>"drift (mmd, brightness)", "ok", or why the window was not tested.</summary>
    public string Verdict
    {
        get
        {
            if (!Tested) return Note ?? "too few images";
            if (!Drift) return "ok";
            var why = new List<string>();
            if (MmdFlagged) why.Add("mmd");
            var channels = FlaggedChannels.OrderBy(c => c.AdjustedPValue).Select(c => c.Channel).ToList();
            why.AddRange(channels.Take(3));
            if (channels.Count > 3) why.Add($"+{channels.Count - 3} channels");
            return $"drift ({string.Join(", ", why)})";
        }
    }
}
