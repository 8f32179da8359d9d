using System.CommandLine;

namespace FunctionsDrift.Cli.Commands;

/// <summary><c>drift summary</c>: images scored, drift and errors per hour or day.</summary>
internal static class SummaryCommand
{
    public static Command Create(CliContext ctx)
    {
        var since = StorageOptions.Since();
        var until = StorageOptions.Until();
        var byDay = new Option<bool>("--by-day") { Description = "One line per day instead of per hour." };
        var connection = StorageOptions.Connection();
        var table = StorageOptions.Table();
        var cmd = new Command("summary", "Counts and drift rate per hour (or day) from the results table.") { since, until, byDay, connection, table };
        cmd.SetAction((pr, ct) => ctx.Guard(async token =>
        {
            var store = StorageOptions.Storage(() => StorageOptions.Results(pr.GetValue(connection)!, pr.GetValue(table)!));
            IReadOnlyList<FunctionsDrift.Storage.SummaryRow> rows;
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
            return (int)ExitCode.Ok;
        }, ct));
        return cmd;
    }
}
