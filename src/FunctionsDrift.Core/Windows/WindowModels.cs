using FunctionsDrift.Core.Features;

namespace FunctionsDrift.Core.Windows;

/// <summary>Settings of the window-level drift test.</summary>
public readonly record struct WindowOptions
{
    public WindowOptions() { }

    /// <summary>The defaults, shared by every front end (CLI options, the HTTP query, the storage request).</summary>
    public static WindowOptions Defaults { get; } = new();

    /// <summary>Images per window when windows are chunks (no <see cref="Period"/>).</summary>
    public int WindowSize { get; init; } = 50;

    /// <summary>Time windows of this length (needs timestamps); null = chunks of <see cref="WindowSize"/>.</summary>
    public TimeSpan? Period { get; init; }

    /// <summary>Permutations of the MMD test. The smallest reachable p is 1 / (permutations + 1).</summary>
    public int Permutations { get; init; } = 500;

    /// <summary>Seed of the permutations and of the reference subsample.</summary>
    public int Seed { get; init; } = 17;

    /// <summary>Per-window false-alarm level, split evenly between the MMD test and the Holm-corrected channel tests.</summary>
    public double Alpha { get; init; } = 0.01;

    /// <summary>Reference images used by the MMD test (a seeded subsample when there are more).</summary>
    /// <remarks>Each permutation costs O((reference + window)²); 300 + 50 images and 500 permutations take well under a second.</remarks>
    public int MaxReference { get; init; } = 300;

    /// <summary>Windows with fewer images than this are reported but not tested.</summary>
    public int MinImages { get; init; } = 5;
}

/// <summary>One image of the stream: its features, and optionally when it was scored and whether it was flagged alone.</summary>
public sealed record WindowSample(string Image, ImageFeatures Features, DateTimeOffset? Timestamp = null, bool? Flagged = null);

/// <summary>One per-channel two-sample test.</summary>
/// <param name="Channel">Quality statistic name, or <c>hue_mean</c>/<c>saturation_mean</c>/<c>value_mean</c>.</param>
/// <param name="Statistic">Kolmogorov–Smirnov D.</param>
/// <param name="PValue">Raw p-value.</param>
/// <param name="AdjustedPValue">Holm-adjusted p-value over all channels.</param>
/// <param name="Flagged">Adjusted p ≤ α/2.</param>
public sealed record ChannelTest(string Channel, double Statistic, double PValue, double AdjustedPValue, bool Flagged);

/// <summary>The flagged-image rate of a window and its Wilson 95 % interval.</summary>
public sealed record DriftRate(int Flagged, int Scored, double Rate, double Low, double High);

/// <summary>The verdict on one window.</summary>
/// <param name="Index">0-based window number.</param>
/// <param name="Label">"1–50" for chunks, the start time for time windows.</param>
/// <param name="Mmd2">Unbiased MMD² of the normalised embeddings (null without embeddings or when untested).</param>
/// <param name="MmdPValue">Permutation p-value (k + 1) / (n + 1).</param>
/// <param name="Drift">True when MMD p ≤ α/2 or any Holm-adjusted channel p ≤ α/2.</param>
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

    /// <summary>"drift (mmd, brightness)", "ok", or "too few images".</summary>
    public string Verdict
    {
        get
        {
            if (!Tested) return "too few images";
            if (!Drift) return "ok";
            var why = new List<string>();
            if (MmdFlagged) why.Add("mmd");
            var channels = FlaggedChannels.OrderBy(c => c.AdjustedPValue).Select(c => c.Channel).ToList();
            why.AddRange(channels.Take(3));
            if (channels.Count > 3) why.Add($"+{channels.Count - 3} channels");
            return $"drift ({string.Join(", ", why)})";
        }
    }

    /// <summary>Set by the tester: the MMD p-value is at most α/2.</summary>
    public bool MmdFlagged { get; init; }
}
