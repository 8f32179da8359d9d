using System.Buffers;
using System.Text.Json;
using Azure.Messaging.EventGrid;
using Azure.Messaging.EventGrid.SystemEvents;

namespace FunctionsDrift.Storage;

/// <summary>
/// <c>Microsoft.Storage.BlobCreated</c> events in the Event Grid schema, as the local host's scanner puts them on the
/// <c>blob-created</c> queue, read and written with the Event Grid SDK (<see cref="EventGridEvent"/>,
/// <see cref="StorageBlobCreatedEventData"/>). The subject holds the raw container and blob name:
/// <c>/blobServices/default/containers/{container}/blobs/{name}</c>.
/// </summary>
public static class BlobCreatedEvent
{
    private const string SubjectPrefix = "/blobServices/default/containers/";
    private const string BlobsSegment = "/blobs/";

    /// <summary>A BlobCreated event of a block blob put in <paramref name="container"/> of <paramref name="account"/>.</summary>
    public static EventGridEvent Create(string account, string container, string blobName, string etag, long length, Uri url) =>
        new($"{SubjectPrefix}{container}{BlobsSegment}{blobName}", SystemEventNames.StorageBlobCreated, "", Data(etag, length, url))
        {
            Topic = $"/local/storageAccounts/{account}",
        };

    /// <summary>
    /// The fields of <see cref="StorageBlobCreatedEventData"/> that the scorer reads, in Event Grid's names. Written by hand
    /// because the SDK can read system event data but its converter does not write it.
    /// </summary>
    private static BinaryData Data(string etag, long length, Uri url)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("api", "PutBlob");
            w.WriteString("eTag", etag);
            w.WriteNumber("contentLength", length);
            w.WriteString("blobType", "BlockBlob");
            w.WriteString("url", url.AbsoluteUri);
            w.WriteEndObject();
        }
        return new BinaryData(buffer.WrittenMemory);
    }

    /// <summary>Container and blob name from the event's subject; <see cref="FormatException"/> when it names no blob.</summary>
    public static (string Container, string BlobName) ParseSubject(this EventGridEvent evt)
    {
        if (!evt.Subject.StartsWith(SubjectPrefix, StringComparison.Ordinal))
        {
            throw new FormatException($"not a blob subject: {evt.Subject}");
        }
        var rest = evt.Subject[SubjectPrefix.Length..];
        int i = rest.IndexOf(BlobsSegment, StringComparison.Ordinal);
        if (i <= 0)
        {
            throw new FormatException($"not a blob subject: {evt.Subject}");
        }
        return (rest[..i], rest[(i + BlobsSegment.Length)..]);
    }

    /// <summary>The event's BlobCreated data, or null when it is another kind of event or its data is unreadable.</summary>
    public static StorageBlobCreatedEventData? BlobCreatedData(this EventGridEvent evt)
    {
        if (evt.EventType != SystemEventNames.StorageBlobCreated) return null;
        try
        {
            return evt.TryGetSystemEventData(out var data) ? data as StorageBlobCreatedEventData : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>The event in the Event Grid schema (one JSON object).</summary>
    public static string ToJson(this EventGridEvent evt) => JsonSerializer.Serialize(evt);

    /// <summary>
    /// Every event of a message: Event Grid delivers an array of events (its schema), and a single object is accepted too.
    /// Anything that is not an event or a non-empty array of events is a <see cref="FormatException"/>.
    /// </summary>
    public static IReadOnlyList<EventGridEvent> ParseAll(string json)
    {
        EventGridEvent[] events;
        try
        {
            events = EventGridEvent.ParseMany(BinaryData.FromString(json));
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or KeyNotFoundException)
        {
            throw new FormatException($"not an Event Grid event or array: {e.Message}", e);
        }
        return events.Length == 0 ? throw new FormatException("empty event array") : events;
    }

    /// <summary>
    /// Joins events already serialised with <see cref="ToJson"/> into Event Grid arrays of at most
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
