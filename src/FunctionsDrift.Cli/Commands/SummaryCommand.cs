using System.CommandLine;
using System.Globalization;
using FunctionsDrift.Core.Windows;
using FunctionsDrift.Storage;

namespace FunctionsDrift.Cli.Commands;

/// <summary>
/// <c>drift summary</c>: images scored, drift and errors per hour or day; with <c>--windows</c> also window-level drift per
/// hour/day (or chunk of N images) against the current reference, as <c>GET /api/summary?windows=true</c> returns it.
/// </summary>
internal static class SummaryCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create(CliContext ctx)
    {
        var since = StorageOptions.Since();
        var until = StorageOptions.Until();
        var byDay = new Option<bool>("--by-day") { Description = "One line per day instead of per hour." };
        var windows = new Option<bool>("--windows") { Description = "Also test each hour/day against the reference (MMD² on embeddings and a distance per colour/quality channel, ranked among the reference's own windows; flagged rate with a CI). Default range: the last 24 h (7 days with --by-day)." };
        var windowSize = new Option<int?>("--window-size") { Description = "With --windows: chunks of N images in blob-time order instead of hours/days." };
        var alpha = new Option<double>("--alpha") { Description = "With --windows: per-window false-alarm level.", DefaultValueFactory = _ => WindowOptions.Defaults.Alpha };
        var seed = new Option<int>("--seed") { Description = "With --windows: seed of the subsample of windows with more images than are tested.", DefaultValueFactory = _ => new WindowSummaryRequest().Seed };
        var models = new Option<string>("--models") { Description = "With --windows: models container.", DefaultValueFactory = _ => new DriftSettings().ModelsContainer };
        var reference = new Option<string>("--reference") { Description = "With --windows: reference container (used only when the version has no saved features).", DefaultValueFactory = _ => new DriftSettings().ReferenceContainer };
        var connection = StorageOptions.Connection();
        var accountUrl = StorageOptions.AccountUrl();
        var table = StorageOptions.Table();
        var cmd = new Command("summary", "Counts and drift rate per hour (or day) from the results table; --windows adds window-level drift tests.")
            { since, until, byDay, windows, windowSize, alpha, seed, models, reference, connection, accountUrl, table };
        cmd.SetAction((pr, ct) => ctx.Guard(async token =>
        {
            var clients = StorageOptions.Clients(pr, connection, accountUrl);
            var store = StorageOptions.Results(clients, pr.GetValue(table)!);
            IReadOnlyList<SummaryRow> rows;
            try
            {
                rows = await store.SummaryAsync(pr.GetValue(since), pr.GetValue(until), pr.GetValue(byDay), token);
            }
            catch (Azure.RequestFailedException e) when (e.Status == 404)
            {
                throw new CliException($"results table '{pr.GetValue(table)}' not found (nothing scored yet?)");
            }
            ctx.Out.WriteLine($"{"PERIOD",-18} {"SCORED",7} {"DRIFT",6} {"RATE",7} {"ERRORS",6}");
            foreach (var r in rows)
            {
                ctx.Out.WriteLine($"{r.Period,-18} {r.Scored,7} {r.Drift,6} {r.DriftRate,7:P1} {r.Errors,6}");
            }
            if (!pr.GetValue(windows))
            {
                return (int)ExitCode.Ok;
            }

            var settings = new DriftSettings { ResultsTable = pr.GetValue(table)!, ModelsContainer = pr.GetValue(models)!, ReferenceContainer = pr.GetValue(reference)! };
            var service = new WindowSummaryService(clients, settings, new ModelStore(clients.Blobs.GetBlobContainerClient(settings.ModelsContainer)), store,
                () => CommonOptions.CreateExtractor(noEmbedding: false, manifestPath: null, parallelism: 0));
            var request = new WindowSummaryRequest
            {
                Since = pr.GetValue(since),
                Until = pr.GetValue(until),
                Period = pr.GetValue(byDay) ? WindowPeriod.Day : WindowPeriod.Hour,
                WindowSize = pr.GetValue(windowSize),
                Alpha = pr.GetValue(alpha),
                Seed = pr.GetValue(seed),
            };
            WindowSummary summary;
            try
            {
                summary = await service.RunAsync(request, token);
            }
            catch (WindowSummaryRequestException e)
            {
                throw new CliException(e.Message, ExitCode.Usage);
            }
            catch (WindowSummaryException e)
            {
                throw new CliException(e.Message);
            }
            ctx.Out.WriteLine();
            Print(ctx.Out, summary);
            return (int)ExitCode.Ok;
        }, ct));
        return cmd;
    }

    internal static void Print(TextWriter w, WindowSummary s)
    {
        w.WriteLine($"windows: {s.Windowing}, {s.Since.ToString("yyyy-MM-dd'T'HH:mm'Z'", Inv)} to {s.Until.ToString("yyyy-MM-dd'T'HH:mm'Z'", Inv)}; " +
            $"reference {s.ReferenceVersion} ({s.ReferenceImages} images, {s.ReferenceSource} features)");
        w.WriteLine($"null: {s.Null}");
        w.WriteLine($"drift when the window's p ≤ α = {s.Alpha:G3} (its smallest test p × the number of tests, Bonferroni over {(s.Embeddings ? "the MMD and " : "")}the channels)");
        if (s.SkippedRows > 0) w.WriteLine($"note: {s.SkippedRows} of {s.Rows} rows had no usable stored features and were left out");
        w.WriteLine();
        w.WriteLine($"| {"window",-17} | images | tested | {"p",6} | {"MMD²",9} | {"MMD p",6} | {"flagged channels",-30} | {"flagged rate [95 % CI]",-24} | verdict");
        w.WriteLine($"|{new string('-', 19)}|-------:|-------:|{new string('-', 7)}:|{new string('-', 10)}:|{new string('-', 7)}:|{new string('-', 32)}|{new string('-', 26)}|--------");
        foreach (var r in s.Windows)
        {
            string wp = r.PValue is double pw ? pw.ToString("0.0000", Inv) : "-";
            string mmd = r.Mmd2 is double m ? m.ToString("0.00000", Inv) : "-";
            string p = r.MmdPValue is double pv ? pv.ToString("0.0000", Inv) : "-";
            var ks = r.FlaggedChannels.Select(c => $"{c.Channel} ({c.AdjustedPValue.ToString("G2", Inv)})").ToList();
            string ksText = !r.Tested ? "-" : ks.Count == 0 ? "none" : string.Join(", ", ks.Take(3)) + (ks.Count > 3 ? $" +{ks.Count - 3} more" : "");
            string rate = $"{r.Flagged}/{r.Images} {r.Rate.ToString("P1", Inv)} [{r.RateLow.ToString("P1", Inv)}, {r.RateHigh.ToString("P1", Inv)}]";
            w.WriteLine($"| {r.Label,-17} | {r.Images,6} | {r.TestedImages,6} | {wp,6} | {mmd,9} | {p,6} | {ksText,-30} | {rate,-24} | {r.Verdict}");
        }
        w.WriteLine();
        w.WriteLine($"{s.Windows.Count(r => r.Drift)} of {s.Windows.Count} windows drifted");
        w.WriteLine($"caveat: {s.Note}");
    }
}
