using System.CommandLine;
using Azure.Core;
using Azure.Identity;
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

    public static Option<string?> AccountUrl() => new("--account-url")
    {
        Description = "Blob endpoint of a storage account (https://NAME.blob.core.windows.net), signed in with Entra ID " +
            "(DefaultAzureCredential: environment, managed identity, az/azd login) instead of a connection string; for accounts " +
            "with shared keys off. Default: env DRIFT_ACCOUNT_URL.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("DRIFT_ACCOUNT_URL") is { Length: > 0 } s ? s : null,
    };

    /// <summary>
    /// The storage verbs' clients: with <c>--account-url</c> the account's blob, queue and table endpoints with an Entra ID
    /// credential (<paramref name="credential"/>, default <see cref="DefaultAzureCredential"/>), else the connection string.
    /// </summary>
    public static StorageClients Clients(ParseResult pr, Option<string> connection, Option<string?> accountUrl, TokenCredential? credential = null)
    {
        var url = pr.GetValue(accountUrl);
        if (string.IsNullOrWhiteSpace(url))
        {
            return Storage(() => StorageClients.FromConnectionString(pr.GetValue(connection)!));
        }
        if (pr.GetResult(connection) is { Implicit: false })
        {
            throw new CliException("give either --connection or --account-url, not both", ExitCode.Usage);
        }
        return StorageClients.FromAccountUrl(BlobEndpoint(url), credential ?? new DefaultAzureCredential());
    }

    /// <summary>An account's blob endpoint: https, a host of the form NAME.blob.SUFFIX, no path, query or credentials.</summary>
    public static Uri BlobEndpoint(string url)
    {
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps
            || !uri.Host.Contains(".blob.", StringComparison.OrdinalIgnoreCase) || uri.AbsolutePath.Trim('/').Length > 0
            || uri.Query.Length > 0 || uri.UserInfo.Length > 0)
        {
            throw new CliException($"--account-url must be an account's blob endpoint such as https://myaccount.blob.core.windows.net, not '{url}'", ExitCode.Usage);
        }
        return new Uri($"https://{uri.Authority}");
    }

    public static Option<string> Table() => new("--table") { Description = "Results table.", DefaultValueFactory = _ => new DriftSettings().ResultsTable };

    public static Option<DateTimeOffset?> Since() => new("--since") { Description = "Blob time at or after (ISO 8601, UTC unless an offset is given)." };

    public static Option<DateTimeOffset?> Until() => new("--until") { Description = "Blob time before (ISO 8601)." };

    public static ResultsStore Results(StorageClients clients, string table) =>
        new(clients.Tables.GetTableClient(table), new DriftSettings { ResultsTable = table });

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
