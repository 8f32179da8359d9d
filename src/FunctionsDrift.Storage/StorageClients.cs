using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace FunctionsDrift.Storage;

/// <summary>
/// Blob, queue and table clients for one storage connection: a connection string (<c>UseDevelopmentStorage=true</c> locally)
/// or identity-based settings (<c>NAME__blobServiceUri</c>, <c>NAME__queueServiceUri</c>, <c>NAME__tableServiceUri</c>,
/// optional <c>NAME__clientId</c>) with <see cref="DefaultAzureCredential"/>. Clients are thread-safe; share one instance.
/// </summary>
public sealed class StorageClients
{
    public BlobServiceClient Blobs { get; }
    public QueueServiceClient Queues { get; }
    public TableServiceClient Tables { get; }

    public StorageClients(BlobServiceClient blobs, QueueServiceClient queues, TableServiceClient tables)
    {
        Blobs = blobs;
        Queues = queues;
        Tables = tables;
    }

    public static StorageClients FromConnectionString(string connectionString) => FromConnectionString(connectionString, diagnostics: true);

    /// <summary>
    /// With <paramref name="diagnostics"/> false the clients skip the Azure SDK's per-request logging and distributed tracing
    /// (the local host's hot path: less CPU per request; the Functions app keeps them for Application Insights dependencies).
    /// </summary>
    public static StorageClients FromConnectionString(string connectionString, bool diagnostics) =>
        new(new BlobServiceClient(connectionString, Diagnostics(new BlobClientOptions(), diagnostics)),
            new QueueServiceClient(connectionString, Diagnostics(new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }, diagnostics)),
            new TableServiceClient(connectionString, Diagnostics(new TableClientOptions(), diagnostics)));

    /// <summary>Turns the SDK's request logging and distributed tracing on or off; returns <paramref name="options"/>.</summary>
    public static T Diagnostics<T>(T options, bool enabled) where T : ClientOptions
    {
        options.Diagnostics.IsLoggingEnabled = enabled;
        options.Diagnostics.IsDistributedTracingEnabled = enabled;
        return options;
    }

    /// <summary>
    /// Clients for one account from its blob endpoint (<c>https://NAME.blob.SUFFIX</c>), with the queue and table endpoints
    /// beside it (<c>NAME.queue.SUFFIX</c>, <c>NAME.table.SUFFIX</c>) and an Entra ID credential.
    /// </summary>
    public static StorageClients FromAccountUrl(Uri blobServiceUri, TokenCredential credential)
    {
        Uri Sibling(string service) => new UriBuilder(blobServiceUri) { Host = ReplaceLabel(blobServiceUri.Host, service) }.Uri;
        return new StorageClients(
            new BlobServiceClient(blobServiceUri, credential),
            new QueueServiceClient(Sibling("queue"), credential, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }),
            new TableServiceClient(Sibling("table"), credential));
    }

    private static string ReplaceLabel(string host, string service)
    {
        int at = host.IndexOf(".blob.", StringComparison.OrdinalIgnoreCase);
        if (at < 0) throw new ArgumentException($"'{host}' is not a blob endpoint (NAME.blob.SUFFIX)", nameof(host));
        return $"{host[..at]}.{service}.{host[(at + ".blob.".Length)..]}";
    }

    /// <summary>Reads the connection named <paramref name="name"/> from configuration (string or identity-based section).</summary>
    public static StorageClients FromConfiguration(IConfiguration config, string name)
    {
        var connectionString = config[name];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return FromConnectionString(connectionString);
        }
        var section = config.GetSection(name);
        string? blobUri = section["blobServiceUri"], queueUri = section["queueServiceUri"], tableUri = section["tableServiceUri"];
        var account = section["accountName"];
        if (!string.IsNullOrWhiteSpace(account))
        {
            blobUri ??= $"https://{account}.blob.core.windows.net";
            queueUri ??= $"https://{account}.queue.core.windows.net";
            tableUri ??= $"https://{account}.table.core.windows.net";
        }
        if (string.IsNullOrWhiteSpace(blobUri) || string.IsNullOrWhiteSpace(queueUri) || string.IsNullOrWhiteSpace(tableUri))
        {
            throw new InvalidOperationException(
                $"storage connection '{name}' is not configured: set '{name}' to a connection string, or '{name}__blobServiceUri', '{name}__queueServiceUri' and '{name}__tableServiceUri'");
        }
        TokenCredential credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            ManagedIdentityClientId = string.IsNullOrWhiteSpace(section["clientId"]) ? null : section["clientId"],
        });
        return new StorageClients(
            new BlobServiceClient(new Uri(blobUri), credential),
            new QueueServiceClient(new Uri(queueUri), credential, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }),
            new TableServiceClient(new Uri(tableUri), credential));
    }
}
