using FunctionsDrift.Core.Windows;

namespace FunctionsDrift.Cli.Reporting;

/// <summary>The share of images the fused verdict flags, per time bucket, with a Wilson 95 % interval.</summary>
internal static class FlagRateOverTime
{
    private static readonly TimeSpan[] Periods = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15),
        TimeSpan.FromHours(1), TimeSpan.FromHours(6), TimeSpan.FromDays(1), TimeSpan.FromDays(7), TimeSpan.FromDays(30)];

    /// <summary>Flag-rate buckets of a period chosen so that there are at most ~48; only occupied buckets are returned.</summary>
    public static IReadOnlyList<RatePoint> Compute(ScoreTable scores)
    {
        var timed = scores.Rows.Where(r => r.IsScored() && r.ScoredAt is not null).OrderBy(r => r.ScoredAt).ToList();
        if (timed.Count == 0) return [];
        var span = timed[^1].ScoredAt!.Value - timed[0].ScoredAt!.Value;
        var period = Periods.FirstOrDefault(p => span / p <= 48, Periods[^1]);
        var origin = new DateTimeOffset(timed[0].ScoredAt!.Value.UtcTicks / period.Ticks * period.Ticks, TimeSpan.Zero);
        return timed.GroupBy(r => (r.ScoredAt!.Value.UtcTicks - origin.UtcTicks) / period.Ticks).Select(g =>
        {
            int n = g.Count(), k = g.Count(r => r.Drift == true);
            var (lo, hi) = TwoSampleTests.Wilson(k, n);
            return new RatePoint(origin + g.Key * period, (double)k / n, lo, hi, n);
        }).ToList();
    }
}
