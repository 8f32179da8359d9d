using System.CommandLine;
using System.Globalization;
using FunctionsDrift.Storage;

namespace FunctionsDrift.Cli.Commands;

/// <summary><c>drift results</c>: rows of the results table as a table, CSV or JSON lines.</summary>
internal static class ResultsCommand
{
    public static Command Create(CliContext ctx)
    {
        var since = StorageOptions.Since();
        var until = StorageOptions.Until();
        var driftOnly = new Option<bool>("--drift-only") { Description = "Only images flagged as drift." };
        var prefix = new Option<string?>("--prefix") { Description = "Blob name prefix." };
        var format = new Option<string>("--format") { Description = "table, csv or jsonl.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "csv", "jsonl");
        var limit = new Option<int>("--limit") { Description = "At most this many rows (0 = all).", DefaultValueFactory = _ => 0 };
        var connection = StorageOptions.Connection();
        var accountUrl = StorageOptions.AccountUrl();
        var table = StorageOptions.Table();
        var cmd = new Command("results", "List scored images from the results table.") { since, until, driftOnly, prefix, format, limit, connection, accountUrl, table };
        cmd.SetAction((pr, ct) => ctx.Guard(async token =>
        {
            var store = StorageOptions.Results(StorageOptions.Clients(pr, connection, accountUrl), pr.GetValue(table)!);
            var query = new ResultQuery { Since = pr.GetValue(since), Until = pr.GetValue(until), DriftOnly = pr.GetValue(driftOnly), Prefix = pr.GetValue(prefix) };
            var rows = new List<ResultEntity>();
            try
            {
                await foreach (var r in store.QueryAllAsync(query, token))
                {
                    rows.Add(r);
                }
            }
            catch (Azure.RequestFailedException e) when (e.Status == 404)
            {
                throw new CliException($"results table '{pr.GetValue(table)}' not found (nothing scored yet?)");
            }
            rows.Sort((a, b) => a.BlobLastModified != b.BlobLastModified ? a.BlobLastModified.CompareTo(b.BlobLastModified) : string.CompareOrdinal(a.BlobName, b.BlobName));
            int max = pr.GetValue(limit);
            if (max > 0 && rows.Count > max) rows = rows.GetRange(rows.Count - max, max);
            Write(ctx.Out, rows, pr.GetValue(format)!);
            return (int)ExitCode.Ok;
        }, ct));
        return cmd;
    }

    public static void Write(TextWriter w, IReadOnlyList<ResultEntity> rows, string format)
    {
        var inv = CultureInfo.InvariantCulture;
        switch (format)
        {
            case "jsonl":
            case "csv":
                var results = rows.Select(r => r.ToRow()).ToList();
                ResultRowWriter.Write(w, format, ResultRowWriter.DetectorsOf(results), results, tableColumns: true);
                break;
            default:
                int nameWidth = Math.Clamp(rows.Count == 0 ? 4 : rows.Max(r => r.BlobName.Length), 4, 48);
                w.WriteLine($"{"BLOB".PadRight(nameWidth)}  {"VERDICT",-8} {"P",-9} {"REFERENCE",-26} REASONS / ERROR");
                foreach (var r in rows)
                {
                    var name = r.BlobName.Length > nameWidth ? "…" + r.BlobName[^(nameWidth - 1)..] : r.BlobName.PadRight(nameWidth);
                    var verdict = r.Status != ResultEntity.StatusOk ? "error" : r.Drift ? "DRIFT" : "ok";
                    var p = r.Status == ResultEntity.StatusOk ? r.FusedP.ToString("0.###e+0", inv) : "";
                    var detail = r.Status == ResultEntity.StatusOk ? r.Reasons : $"{r.ErrorKind}: {r.Error}";
                    w.WriteLine($"{Clean(name)}  {verdict,-8} {p,-9} {r.ReferenceVersion ?? "",-26} {Clean(detail ?? "")}");
                }
                int drift = rows.Count(r => r.Status == ResultEntity.StatusOk && r.Drift), errors = rows.Count(r => r.Status != ResultEntity.StatusOk);
                w.WriteLine($"{rows.Count} rows: {drift} drift, {rows.Count - drift - errors} ok, {errors} errors");
                break;
        }
    }

    private static string Clean(string s) => new(s.Select(c => char.IsControl(c) ? '?' : c).ToArray());

}
