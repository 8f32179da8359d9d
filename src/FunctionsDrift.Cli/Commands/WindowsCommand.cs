using System.CommandLine;
using System.Globalization;
using FunctionsDrift.Cli.Reporting;
using FunctionsDrift.Core.Scoring;
using FunctionsDrift.Core.Windows;

namespace FunctionsDrift.Cli.Commands;

/// <summary>
/// <c>drift windows</c>: window-level drift of a stream of images against the reference, from <c>drift embed</c> CSVs
/// (MMD² on embeddings and a Wasserstein distance per colour/quality channel, each window ranked among the reference's
/// own windows of its size; flagged-image rate with a Wilson CI). Text table, CSV or JSON lines.
/// </summary>
internal static class WindowsCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create(CliContext ctx)
    {
        var reference = new Option<string>("--reference-features") { Description = "drift embed CSV of the reference images, in time (file-name) order.", Required = true };
        var features = new Option<string>("--features") { Description = "drift embed CSV of the stream, in stream order.", Required = true };
        var scores = new Option<string?>("--scores") { Description = "Optional score CSV (matched by image) for the drift rate and scored_at/timestamp." };
        var window = new Option<int>("--window") { Description = "Images per window.", DefaultValueFactory = _ => WindowOptions.Defaults.WindowSize };
        var period = new Option<string?>("--period") { Description = "Time windows instead of chunks, e.g. 30m, 1h, 1d (needs timestamps in --scores)." };
        var alpha = new Option<double>("--alpha") { Description = "Per-window false-alarm level.", DefaultValueFactory = _ => WindowOptions.Defaults.Alpha };
        var maxRef = new Option<int>("--max-reference") { Description = $"Reference images kept (a longer reference is cut to evenly spaced contiguous stretches); at most {WindowOptions.ReferenceLimit}.", DefaultValueFactory = _ => WindowOptions.Defaults.MaxReference };
        var guard = new Option<int?>("--guard") { Description = "Reference images left out on each side of a reference window when it is compared with the rest (default: the window size)." };
        var format = new Option<string?>("--format") { Description = "text (the default on a terminal), csv or jsonl (the default for --out FILE.csv / FILE.jsonl)." };
        format.AcceptOnlyFromAmong("text", "csv", "jsonl");
        var output = new Option<string?>("--out") { Description = "Write the rows to this file instead of standard output." };
        var cmd = new Command("windows", "Test windows of images against windows of the reference: MMD² on embeddings, a distance per colour/quality channel, drift rate with a CI.")
            { reference, features, scores, window, period, alpha, maxRef, guard, format, output };
        cmd.SetAction((pr, ct) => ctx.Guard(async token =>
        {
            await Task.Yield();
            var options = new WindowOptions
            {
                WindowSize = pr.GetValue(window),
                Period = pr.GetValue(period) is { } p ? ParsePeriod(p) : null,
                Alpha = pr.GetValue(alpha),
                MaxReference = pr.GetValue(maxRef),
                GuardBand = pr.GetValue(guard),
            };
            try
            {
                options.Validate();
            }
            catch (WindowOptionsException e)
            {
                throw new CliException(e.Message, ExitCode.Usage);
            }
            string? outPath = pr.GetValue(output);
            string fmt = pr.GetValue(format) ?? FormatOf(outPath);
            var refRows = FeatureTable.ReadFile(pr.GetValue(reference)!, out int refSkipped);
            var rows = FeatureTable.ReadFile(pr.GetValue(features)!, out int skipped);
            if (refSkipped + skipped > 0) ctx.Error.WriteLine($"note: skipped {refSkipped} reference and {skipped} stream rows without features");
            ScoreTable? table = pr.GetValue(scores) is { } s ? ScoreTable.ReadFile(s) : null;
            var byImage = table?.Rows.GroupBy(r => r.Image, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
            var stream = rows.Select(r =>
            {
                ResultRow? rec = byImage?.GetValueOrDefault(r.Image);
                return new WindowSample(r.Image, r.Features, rec?.ScoredAt, rec?.IsScored() == true ? rec.Drift : null);
            }).ToList();
            if (options.Period is not null && stream.Any(x => x.Timestamp is null))
            {
                throw new CliException("--period needs a scored_at or timestamp for every image (from --scores)", ExitCode.Usage);
            }
            var tester = WindowDriftTester.Create(refRows.Select(r => r.Features).ToList(), options, token);
            if (!tester.HasEmbeddings) ctx.Error.WriteLine("note: no embeddings in the features; MMD skipped, colour and quality tests only");
            var results = tester.Run(stream, token);
            if (outPath is null)
            {
                Write(ctx.Out, fmt, tester, results);
            }
            else
            {
                using (var w = new StreamWriter(outPath)) Write(w, fmt, tester, results);
                ctx.Error.WriteLine($"{results.Count} windows, {results.Count(r => r.Drift)} drifted → {outPath}");
            }
            return (int)ExitCode.Ok;
        }, ct));
        return cmd;
    }

    /// <summary>csv or jsonl from the output file's extension; text otherwise.</summary>
    internal static string FormatOf(string? path) =>
        Path.GetExtension(path ?? "").ToLowerInvariant() switch
        {
            ".csv" => "csv",
            ".jsonl" or ".ndjson" => "jsonl",
            _ => "text",
        };

    private static void Write(TextWriter w, string format, WindowDriftTester tester, IReadOnlyList<WindowResult> results)
    {
        if (format == "text") Print(w, tester, results);
        else WindowWriter.Write(w, format, results);
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
        string kept = tester.KeptReference < tester.ReferenceCount ? $" (kept {tester.KeptReference} in {tester.ReferenceStretches} contiguous stretches)" : "";
        w.WriteLine($"reference: {tester.ReferenceCount} images{kept}; MMD on {(tester.HasEmbeddings ? $"L2-normalised embeddings, Gaussian kernel σ²={tester.KernelSigma2:G3} (median heuristic)" : "(no embeddings)")}, Wasserstein-1 on {WindowDriftTester.ChannelNames.Count} channels");
        foreach (int size in results.Where(r => r.Tested).Select(r => r.Images).Distinct().Order().Take(3))
        {
            var (m, k, pmin) = tester.NullSize(size);
            w.WriteLine($"null: windows of {size} against the reference's {m} sliding windows of {size} (guard band {tester.Guard(size)}), " +
                $"{k.ToString("0.#", Inv)} independent: ranks reach p = {pmin.ToString("G3", Inv)}, smaller p from their fitted tail");
        }
        w.WriteLine($"drift when the window's p ≤ α = {o.Alpha:G3} (its smallest test p × {(tester.HasEmbeddings ? 17 : 16)} tests: the MMD and the channels, Bonferroni)");
        w.WriteLine();
        w.WriteLine($"| {"window",-17} | images | {"p",6} | {"MMD²",9} | {"MMD p",6} | {"flagged channels",-30} | {"drift rate [95 % CI]",-22} | verdict");
        w.WriteLine($"|{new string('-', 19)}|-------:|{new string('-', 7)}:|{new string('-', 10)}:|{new string('-', 7)}:|{new string('-', 32)}|{new string('-', 24)}|--------");
        foreach (var r in results)
        {
            string wp = r.PValue is double pw ? pw.ToString("0.0000", Inv) : "-";
            string mmd = r.Mmd2 is double m ? m.ToString("0.00000", Inv) : "-";
            string p = r.MmdPValue is double pv ? pv.ToString("0.0000", Inv) : "-";
            // The three most significant channels; the rest counted.
            var ks = r.FlaggedChannels.OrderBy(c => c.AdjustedPValue).Select(c => $"{c.Channel} ({c.AdjustedPValue.ToString("G2", Inv)})").ToList();
            string ksText = !r.Tested ? "-" : ks.Count == 0 ? "none" : string.Join(", ", ks.Take(3)) + (ks.Count > 3 ? $" +{ks.Count - 3} more" : "");
            string rate = r.Rate is { } dr ? $"{dr.Flagged}/{dr.Scored} {dr.Rate.ToString("P1", Inv)} [{dr.Low.ToString("P1", Inv)}, {dr.High.ToString("P1", Inv)}]" : "-";
            w.WriteLine($"| {r.Label,-17} | {r.Images,6} | {wp,6} | {mmd,9} | {p,6} | {ksText,-30} | {rate,-22} | {r.Verdict}");
        }
        int drifted = results.Count(r => r.Drift);
        w.WriteLine();
        w.WriteLine($"{drifted} of {results.Count} windows drifted");
    }
}
