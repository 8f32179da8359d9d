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

    /// <summary>
    /// Every event of a message: Event Grid delivers an array of events (its schema), and a single object is accepted too.
    /// </summary>
    public static IReadOnlyList<BlobCreatedEvent> ParseAll(string json)
    {
        var trimmed = json.TrimStart();
        var events = trimmed.StartsWith('[')
            ? JsonSerializer.Deserialize<BlobCreatedEvent[]>(json) ?? []
            : [JsonSerializer.Deserialize<BlobCreatedEvent>(json) ?? throw new FormatException("empty event")];
        return events.Length == 0 ? throw new FormatException("empty event array") : events;
    }

    /// <summary>
    /// Joins events already serialised with <see cref="ToJson()"/> into Event Grid arrays of at most
    /// <paramref name="maxEvents"/> events and <paramref name="maxBytes"/> UTF-8 bytes each (one event always makes a message,
    /// whatever its size). A storage queue message holds 64 KiB, and base64 encoding adds a third.
    /// </summary>
    public static IEnumerable<string> Batch(IEnumerable<string> eventJson, int maxEvents, int maxBytes = 45 * 1024)
    {
        var batch = new List<string>();
        int bytes = 2;
        foreach (var e in eventJson)
        {
            int size = System.Text.Encoding.UTF8.GetByteCount(e) + 1;
            if (batch.Count > 0 && (batch.Count >= maxEvents || bytes + size > maxBytes))
            {
                yield return "[" + string.Join(',', batch) + "]";
                batch.Clear();
                bytes = 2;
            }
            batch.Add(e);
            bytes += size;
        }
        if (batch.Count > 0)
        {
            yield return "[" + string.Join(',', batch) + "]";
        }
    }
}
