using System.CommandLine;
using FunctionsDrift.Storage;

namespace FunctionsDrift.Cli.Commands;

/// <summary>Options shared by the storage verbs (serve, upload, results, summary, bench-host).</summary>
internal static class StorageOptions
{
    public static Option<string> Connection() => new("--connection")
    {
        Description = "Storage connection string (default: env DRIFT_STORAGE, else local Azurite).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("DRIFT_STORAGE") is { Length: > 0 } s ? s : "UseDevelopmentStorage=true",
    };

    public static Option<string> Table() => new("--table") { Description = "Results table.", DefaultValueFactory = _ => new DriftSettings().ResultsTable };

    public static Option<DateTimeOffset?> Since() => new("--since") { Description = "Blob time at or after (ISO 8601, UTC unless an offset is given)." };

    public static Option<DateTimeOffset?> Until() => new("--until") { Description = "Blob time before (ISO 8601)." };

    public static ResultsStore Results(string connection, string table)
    {
        var settings = new DriftSettings { ResultsTable = table };
        return new ResultsStore(StorageClients.FromConnectionString(connection).Tables.GetTableClient(table), settings);
    }

    public static T Storage<T>(Func<T> call)
    {
        try
        {
            return call();
        }
        catch (FormatException e)
        {
            throw new CliException($"bad connection string: {e.Message}", ExitCode.Usage);
        }
    }
}
