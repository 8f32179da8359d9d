using System.CommandLine;
using System.Globalization;
using FunctionsDrift.Cli.Reporting;
using FunctionsDrift.Core.Windows;

namespace FunctionsDrift.Cli.Commands;

/// <summary>
/// <c>drift windows</c>: window-level drift of a stream of images against the reference, from <c>drift embed</c> CSVs
/// (MMD² permutation test on embeddings, Holm-corrected KS tests on colour and quality, flagged-image rate with a Wilson CI).
/// </summary>
internal static class WindowsCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create(CliContext ctx)
    {
        var reference = new Option<string>("--reference-features") { Description = "drift embed CSV of the reference images.", Required = true };
        var features = new Option<string>("--features") { Description = "drift embed CSV of the stream, in stream order.", Required = true };
        var scores = new Option<string?>("--scores") { Description = "Optional score CSV (matched by image) for the drift rate and scored_at/timestamp." };
        var window = new Option<int>("--window") { Description = "Images per window.", DefaultValueFactory = _ => WindowOptions.Defaults.WindowSize };
        var period = new Option<string?>("--period") { Description = "Time windows instead of chunks, e.g. 30m, 1h, 1d (needs timestamps in --scores)." };
        var permutations = new Option<int>("--permutations") { Description = "Permutations of the MMD test.", DefaultValueFactory = _ => WindowOptions.Defaults.Permutations };
        var seed = new Option<int>("--seed") { Description = "Seed of the permutations and the reference subsample.", DefaultValueFactory = _ => WindowOptions.Defaults.Seed };
        var alpha = new Option<double>("--alpha") { Description = "Per-window false-alarm level (split between MMD and the channel tests).", DefaultValueFactory = _ => WindowOptions.Defaults.Alpha };
        var maxRef = new Option<int>("--max-reference") { Description = "Reference images used by the MMD test (seeded subsample).", DefaultValueFactory = _ => WindowOptions.Defaults.MaxReference };
        var cmd = new Command("windows", "Test windows of images against the reference: MMD² on embeddings, KS per colour/quality channel, drift rate with a CI.")
            { reference, features, scores, window, period, permutations, seed, alpha, maxRef };
        cmd.SetAction((pr, ct) => ctx.Guard(async token =>
        {
            await Task.Yield();
            var options = new WindowOptions
            {
                WindowSize = pr.GetValue(window),
                Period = pr.GetValue(period) is { } p ? ParsePeriod(p) : null,
                Permutations = pr.GetValue(permutations),
                Seed = pr.GetValue(seed),
                Alpha = pr.GetValue(alpha),
                MaxReference = pr.GetValue(maxRef),
            };
            if (options.WindowSize < 2) throw new CliException("--window must be at least 2", ExitCode.Usage);
            if (options.Permutations is < 1 or > 100_000) throw new CliException("--permutations must be between 1 and 100000", ExitCode.Usage);
            if (options.Alpha is <= 0 or >= 1) throw new CliException("--alpha must be in (0, 1)", ExitCode.Usage);
            if (options.MaxReference < 2) throw new CliException("--max-reference must be at least 2", ExitCode.Usage);
            if (1.0 / (options.Permutations + 1) > options.Alpha / 2)
            {
                ctx.Error.WriteLine($"warning: with {options.Permutations} permutations the MMD p-value cannot go below {1.0 / (options.Permutations + 1):G3} > alpha/2; use at least {(int)Math.Ceiling(2 / options.Alpha)}");
            }
            var refRows = FeatureTable.ReadFile(pr.GetValue(reference)!, out int refSkipped);
            var rows = FeatureTable.ReadFile(pr.GetValue(features)!, out int skipped);
            if (refSkipped + skipped > 0) ctx.Error.WriteLine($"note: skipped {refSkipped} reference and {skipped} stream rows without features");
            ScoreTable? table = pr.GetValue(scores) is { } s ? ScoreTable.ReadFile(s) : null;
            var byImage = table?.Records.GroupBy(r => r.Image, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
            var stream = rows.Select(r =>
            {
                ScoreRecord? rec = byImage?.GetValueOrDefault(r.Image);
                return new WindowSample(r.Image, r.Features, rec?.Timestamp, rec?.Scored == true ? rec.Drift : null);
            }).ToList();
            if (options.Period is not null && stream.Any(x => x.Timestamp is null))
            {
                throw new CliException("--period needs a scored_at or timestamp for every image (from --scores)", ExitCode.Usage);
            }
            var tester = WindowDriftTester.Create(refRows.Select(r => r.Features).ToList(), options);
            if (!tester.HasEmbeddings) ctx.Error.WriteLine("note: no embeddings in the features; MMD skipped, colour and quality tests only");
            var results = tester.Run(stream, token);
            Print(ctx.Out, tester, results);
            return (int)ExitCode.Ok;
        }, ct));
        return cmd;
    }

    internal static TimeSpan ParsePeriod(string text)
    {
        text = text.Trim();
        if (text.Length >= 2 && double.TryParse(text[..^1], NumberStyles.Float, Inv, out double v) && v > 0)
        {
            switch (char.ToLowerInvariant(text[^1]))
            {
                case 's': return TimeSpan.FromSeconds(v);
                case 'm': return TimeSpan.FromMinutes(v);
                case 'h': return TimeSpan.FromHours(v);
                case 'd': return TimeSpan.FromDays(v);
            }
        }
        if (TimeSpan.TryParse(text, Inv, out var ts) && ts > TimeSpan.Zero) return ts;
        throw new CliException($"--period: expected e.g. 30m, 1h, 1d or hh:mm:ss, got '{text}'", ExitCode.Usage);
    }

    internal static void Print(TextWriter w, WindowDriftTester tester, IReadOnlyList<WindowResult> results)
    {
        var o = tester.Options;
        w.WriteLine($"reference: {tester.ReferenceCount} images; MMD on {(tester.HasEmbeddings ? $"L2-normalised embeddings, Gaussian kernel σ²={tester.KernelSigma2:G3} (median heuristic), {o.Permutations} permutations, seed {o.Seed}" : "(no embeddings)")}");
        w.WriteLine($"drift when MMD p ≤ {o.Alpha / 2:G3} or any Holm-adjusted KS p ≤ {o.Alpha / 2:G3} ({WindowDriftTester.ChannelNames.Count} channels); window α = {o.Alpha:G3}");
        w.WriteLine();
        w.WriteLine($"| {"window",-17} | images | {"MMD²",9} | {"p",6} | {"KS-flagged channels",-30} | {"drift rate [95 % CI]",-22} | verdict");
        w.WriteLine($"|{new string('-', 19)}|-------:|{new string('-', 10)}:|{new string('-', 7)}:|{new string('-', 32)}|{new string('-', 24)}|--------");
        foreach (var r in results)
        {
            string mmd = r.Mmd2 is double m ? m.ToString("0.00000", Inv) : "-";
            string p = r.MmdPValue is double pv ? pv.ToString("0.0000", Inv) : "-";
            // The three most significant channels; the rest counted.
            var ks = r.FlaggedChannels.OrderBy(c => c.AdjustedPValue).Select(c => $"{c.Channel} ({c.AdjustedPValue.ToString("G2", Inv)})").ToList();
            string ksText = !r.Tested ? "-" : ks.Count == 0 ? "none" : string.Join(", ", ks.Take(3)) + (ks.Count > 3 ? $" +{ks.Count - 3} more" : "");
            string rate = r.Rate is { } dr ? $"{dr.Flagged}/{dr.Scored} {dr.Rate.ToString("P1", Inv)} [{dr.Low.ToString("P1", Inv)}, {dr.High.ToString("P1", Inv)}]" : "-";
            w.WriteLine($"| {r.Label,-17} | {r.Images,6} | {mmd,9} | {p,6} | {ksText,-30} | {rate,-22} | {r.Verdict}");
        }
        int drifted = results.Count(r => r.Drift);
        w.WriteLine();
        w.WriteLine($"{drifted} of {results.Count} windows drifted");
    }
}
