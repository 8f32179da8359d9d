using FunctionsDrift.Core.Windows;

namespace FunctionsDrift.Storage;

/// <summary>
/// What <see cref="WindowSummaryService"/> tests, with the bounds that keep one request's cost bounded: window size and
/// images tested per window ≤ <see cref="MaxWindowImages"/>, a range of at most <see cref="MaxHourRange"/> (hours, chunks)
/// or <see cref="MaxDayRange"/> (days), chunk mode ≤ <see cref="MaxRows"/> rows.
/// </summary>
public sealed record WindowSummaryRequest
{
    /// <summary>The largest window (chunk size, or images tested per calendar window).</summary>
    public const int MaxWindowImages = 500;

    /// <summary>The longest range for hourly windows and chunks (168 hourly windows).</summary>
    public static readonly TimeSpan MaxHourRange = TimeSpan.FromDays(7);

    /// <summary>The longest range for daily windows.</summary>
    public static readonly TimeSpan MaxDayRange = TimeSpan.FromDays(92);

    /// <summary>Blob time at or after; default: <see cref="Until"/> − 24 h (hours, chunks) or − 7 days (days), at the period start.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Blob time before; default: now.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>Calendar windows (UTC hours or days, aligned like the summary counts). Ignored when <see cref="WindowSize"/> is set.</summary>
    public WindowPeriod Period { get; init; } = WindowPeriod.Hour;

    /// <summary>Chunks of this many images in blob-time order instead of calendar windows.</summary>
    public int? WindowSize { get; init; }

    /// <summary>Seed of the per-window subsample of calendar windows with more than <see cref="MaxImagesPerWindow"/> images.</summary>
    public int Seed { get; init; } = 17;

    /// <summary>Per-window false-alarm level.</summary>
    public double Alpha { get; init; } = WindowOptions.Defaults.Alpha;

    /// <summary>Images tested per calendar window: a seeded uniform subsample when there are more (the rate counts all).</summary>
    public int MaxImagesPerWindow { get; init; } = 300;

    /// <summary>Chunk mode keeps every row in memory (about 2.3 KiB each): more rows than this is an error.</summary>
    public const int MaxRows = 20_000;

    /// <summary>
    /// Throws <see cref="WindowSummaryRequestException"/> when a parameter is out of its bounds: first the window settings'
    /// own (<see cref="WindowOptions.Validate"/>), then this request's cost bounds.
    /// </summary>
    public void Validate(DateTimeOffset since, DateTimeOffset until)
    {
        try
        {
            ToWindowOptions().Validate();
        }
        catch (WindowOptionsException e)
        {
            throw new WindowSummaryRequestException(e.Message);
        }
        if (WindowSize > MaxWindowImages) throw new WindowSummaryRequestException($"windowSize must be at most {MaxWindowImages}");
        if (MaxImagesPerWindow is < 5 or > MaxWindowImages) throw new WindowSummaryRequestException($"images tested per window must be between 5 and {MaxWindowImages}");
        if (since >= until) throw new WindowSummaryRequestException("since must be before until");
        var max = WindowSize is null && Period == WindowPeriod.Day ? MaxDayRange : MaxHourRange;
        if (until - since > max)
        {
            throw new WindowSummaryRequestException($"the range is at most {max.TotalDays:0} days for {(max == MaxDayRange ? "daily windows" : "hourly windows and chunks")}");
        }
    }

    /// <summary>The settings the window tester runs with for this request.</summary>
    public WindowOptions ToWindowOptions() => new()
    {
        // Calendar windows vary in size: their reference windows are built per size on first use.
        WindowSize = WindowSize ?? MaxImagesPerWindow,
        Period = WindowSize is null ? (Period == WindowPeriod.Day ? TimeSpan.FromDays(1) : TimeSpan.FromHours(1)) : null,
        Alpha = Alpha,
    };
}
