using FunctionsDrift.Core.Windows;

namespace FunctionsDrift.Storage;

/// <summary>One window of the summary: counts over all its rows, tests over (a subsample of) them.</summary>
/// <param name="Images">Ok rows in the window.</param>
/// <param name="TestedImages">Images the window tests saw (≤ <see cref="WindowSummaryRequest.MaxImagesPerWindow"/>).</param>
/// <param name="Flagged">Rows flagged alone (per-image verdict).</param>
/// <param name="RateLow">Wilson 95 % interval of <see cref="Rate"/>.</param>
/// <param name="PValue">The window's p-value against the reference's own windows of its size (drift when ≤ α).</param>
/// <param name="FlaggedChannels">Channels whose adjusted p ≤ α, most significant first.</param>
public sealed record WindowSummaryRow(
    string Label,
    DateTimeOffset? Start,
    DateTimeOffset? End,
    int Images,
    int TestedImages,
    int Flagged,
    double Rate,
    double RateLow,
    double RateHigh,
    double? PValue,
    double? Mmd2,
    double? MmdPValue,
    IReadOnlyList<ChannelTest> FlaggedChannels,
    bool Tested,
    bool Drift,
    string Verdict);
