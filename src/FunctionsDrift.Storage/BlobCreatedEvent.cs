using System.Text.Json;
using System.Text.Json.Serialization;

namespace FunctionsDrift.Storage;

/// <summary>Data of an Event Grid <c>Microsoft.Storage.BlobCreated</c> event (the fields used here).</summary>
public sealed record BlobCreatedData
{
    [JsonPropertyName("api")] public string Api { get; init; } = "PutBlob";
    [JsonPropertyName("eTag")] public string ETag { get; init; } = "";
    [JsonPropertyName("contentType")] public string? ContentType { get; init; }
    [JsonPropertyName("contentLength")] public long ContentLength { get; init; }
    [JsonPropertyName("blobType")] public string BlobType { get; init; } = "BlockBlob";
    [JsonPropertyName("url")] public string Url { get; init; } = "";
}

/// <summary>
/// An Event-Grid-shaped BlobCreated event (Event Grid schema), as the local host's scanner puts it on the <c>blob-created</c> queue.
/// The subject holds the raw container and blob name: <c>/blobServices/default/containers/{container}/blobs/{name}</c>.
/// </summary>
public sealed record BlobCreatedEvent
{
    public const string EventTypeName = "Microsoft.Storage.BlobCreated";
    private const string SubjectPrefix = "/blobServices/default/containers/";

    [JsonPropertyName("id")] public string Id { get; init; } = Guid.NewGuid().ToString();
    [JsonPropertyName("topic")] public string Topic { get; init; } = "";
    [JsonPropertyName("subject")] public string Subject { get; init; } = "";
    [JsonPropertyName("eventType")] public string EventType { get; init; } = EventTypeName;
    [JsonPropertyName("eventTime")] public DateTimeOffset EventTime { get; init; } = DateTimeOffset.UtcNow;
    [JsonPropertyName("data")] public BlobCreatedData Data { get; init; } = new();
    [JsonPropertyName("dataVersion")] public string DataVersion { get; init; } = "";
    [JsonPropertyName("metadataVersion")] public string MetadataVersion { get; init; } = "1";

    public static BlobCreatedEvent Create(string account, string container, string blobName, string etag, long length, Uri url) => new()
    {
        Topic = $"/local/storageAccounts/{account}",
        Subject = $"{SubjectPrefix}{container}/blobs/{blobName}",
        Data = new BlobCreatedData { ETag = etag, ContentLength = length, Url = url.AbsoluteUri },
    };

    /// <summary>Container and blob name from the subject.</summary>
    public (string Container, string BlobName) ParseSubject()
    {
        if (!Subject.StartsWith(SubjectPrefix, StringComparison.Ordinal))
        {
            throw new FormatException($"not a blob subject: {Subject}");
        }
        var rest = Subject[SubjectPrefix.Length..];
        int i = rest.IndexOf("/blobs/", StringComparison.Ordinal);
        if (i <= 0)
        {
            throw new FormatException($"not a blob subject: {Subject}");
        }
        return (rest[..i], rest[(i + "/blobs/".Length)..]);
    }

    public string ToJson() => JsonSerializer.Serialize(this);

    public static BlobCreatedEvent Parse(string json)
    {
        // Event Grid may deliver a single event or an array of one.
        var trimmed = json.TrimStart();
        if (trimmed.StartsWith('['))
        {
            return JsonSerializer.Deserialize<BlobCreatedEvent[]>(json)?.FirstOrDefault() ?? throw new FormatException("empty event array");
        }
        return JsonSerializer.Deserialize<BlobCreatedEvent>(json) ?? throw new FormatException("empty event");
    }
}
