using FunctionsDrift.Storage;

namespace FunctionsDrift.Cli.Commands;

/// <summary>Counts storage requests by service and method: a pipeline policy on the clients whose requests are measured.</summary>
internal sealed class RequestCounter : Azure.Core.Pipeline.HttpPipelineSynchronousPolicy
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _counts = new();

    public override void OnSendingRequest(Azure.Core.HttpMessage message)
    {
        var uri = message.Request.Uri.ToUri();
        string service = uri.Port switch { 10000 => "blob", 10001 => "queue", 10002 => "table", _ => uri.Host.Split('.').ElementAtOrDefault(1) ?? uri.Host };
        string op = uri.Query.Contains("comp=list", StringComparison.Ordinal) ? "list" : message.Request.Method.ToString();
        _counts.AddOrUpdate($"{service} {op}", 1, (_, n) => n + 1);
    }

    public void Reset() => _counts.Clear();

    public Dictionary<string, long> Snapshot() => new(_counts);

    /// <summary>Blob, queue and table clients on <paramref name="connection"/> whose every request <paramref name="counter"/> counts.</summary>
    public static StorageClients Clients(string connection, RequestCounter counter)
    {
        var blob = StorageClients.Diagnostics(new Azure.Storage.Blobs.BlobClientOptions(), enabled: false);
        blob.AddPolicy(counter, Azure.Core.HttpPipelinePosition.PerCall);
        var queue = StorageClients.Diagnostics(new Azure.Storage.Queues.QueueClientOptions { MessageEncoding = Azure.Storage.Queues.QueueMessageEncoding.Base64 }, enabled: false);
        queue.AddPolicy(counter, Azure.Core.HttpPipelinePosition.PerCall);
        var table = StorageClients.Diagnostics(new Azure.Data.Tables.TableClientOptions(), enabled: false);
        table.AddPolicy(counter, Azure.Core.HttpPipelinePosition.PerCall);
        return new StorageClients(new Azure.Storage.Blobs.BlobServiceClient(connection, blob),
            new Azure.Storage.Queues.QueueServiceClient(connection, queue), new Azure.Data.Tables.TableServiceClient(connection, table));
    }
}
