using Azure.Messaging.EventGrid;
using FunctionsDrift.Storage;

namespace FunctionsDrift.Storage.Tests;

public sealed class BlobCreatedEventTests
{
    private static EventGridEvent Event(string name) =>
        BlobCreatedEvent.Create("devstoreaccount1", "images", name, "\"0x1\"", 10, new Uri("http://127.0.0.1:10000/devstoreaccount1/images/x"));

    [Fact]
    public void Batch_RespectsEventCountAndKeepsOrder()
    {
        var names = Enumerable.Range(0, 20).Select(i => $"cam/{i:000}.jpg").ToList();
        var messages = BlobCreatedEvent.Batch(names.Select(n => Event(n).ToJson()), maxEvents: 8).ToList();

        Assert.Equal(new[] { 8, 8, 4 }, messages.Select(m => BlobCreatedEvent.ParseAll(m).Count));
        Assert.Equal(names, messages.SelectMany(BlobCreatedEvent.ParseAll).Select(e => e.ParseSubject().BlobName));
    }

    [Fact]
    public void Batch_RespectsByteBudget_AndAlwaysSendsAnOversizedEventAlone()
    {
        // Long non-ASCII names: escaped in JSON and percent-encoded in the URL, a few KiB per event.
        var names = Enumerable.Range(0, 12).Select(i => $"{i:00}/" + new string('é', 1000)).ToList();
        var messages = BlobCreatedEvent.Batch(names.Select(n => Event(n).ToJson()), maxEvents: 8, maxBytes: 16 * 1024).ToList();

        Assert.All(messages, m => Assert.True(System.Text.Encoding.UTF8.GetByteCount(m) <= 16 * 1024, $"{m.Length} bytes"));
        Assert.True(messages.Count > 2);
        Assert.Equal(names, messages.SelectMany(BlobCreatedEvent.ParseAll).Select(e => e.ParseSubject().BlobName));

        var alone = BlobCreatedEvent.Batch([Event(names[0]).ToJson()], maxEvents: 8, maxBytes: 100).Single();
        Assert.Equal(names[0], BlobCreatedEvent.ParseAll(alone).Single().ParseSubject().BlobName);
    }

    [Fact]
    public void ParseAll_AcceptsSingleObjectAndRejectsEmpty()
    {
        Assert.Equal("a/b.jpg", BlobCreatedEvent.ParseAll(Event("a/b.jpg").ToJson()).Single().ParseSubject().BlobName);
        Assert.Throws<FormatException>(() => BlobCreatedEvent.ParseAll("[]"));
    }

    /// <summary>The sample BlobCreated event of the Azure Storage Event Grid schema page, as Event Grid delivers it.</summary>
    private const string AzureSample = """
        [{
          "topic": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/Storage/providers/Microsoft.Storage/storageAccounts/my-storage-account",
          "subject": "/blobServices/default/containers/test-container/blobs/dir/new-file.jpg",
          "eventType": "Microsoft.Storage.BlobCreated",
          "eventTime": "2017-06-26T18:41:00.9584103Z",
          "id": "831e1650-001e-001b-66ab-eeb76e069631",
          "data": {
            "api": "PutBlockList",
            "clientRequestId": "6d79dbfb-0e37-4fc4-981f-442c9ca65760",
            "requestId": "831e1650-001e-001b-66ab-eeb76e000000",
            "eTag": "\"0x8D4BCC2E4835CD0\"",
            "contentType": "image/jpeg",
            "contentLength": 524288,
            "blobType": "BlockBlob",
            "url": "https://my-storage-account.blob.core.windows.net/test-container/dir/new-file.jpg",
            "sequencer": "00000000000004420000000000028963",
            "storageDiagnostics": { "batchId": "b68529f3-68cd-4744-baa4-3c0498ec19f0" }
          },
          "dataVersion": "",
          "metadataVersion": "1"
        }]
        """;

    [Fact]
    public void ParseAll_AzureSampleEvent_ReadsSubjectETagAndLength()
    {
        var evt = Assert.Single(BlobCreatedEvent.ParseAll(AzureSample));
        Assert.Equal(("test-container", "dir/new-file.jpg"), evt.ParseSubject());
        var data = evt.BlobCreatedData();
        Assert.NotNull(data);
        Assert.Equal("\"0x8D4BCC2E4835CD0\"", data.ETag);
        Assert.Equal(524288, data.ContentLength);
        Assert.EndsWith("/storageAccounts/my-storage-account", evt.Topic);
    }

    [Fact]
    public void Create_WritesTheEventGridSchema_AndReadsBack()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(Event("a/b.jpg").ToJson());
        var root = doc.RootElement;
        Assert.Equal("Microsoft.Storage.BlobCreated", root.GetProperty("eventType").GetString());
        Assert.Equal("/local/storageAccounts/devstoreaccount1", root.GetProperty("topic").GetString());
        Assert.Equal("/blobServices/default/containers/images/blobs/a/b.jpg", root.GetProperty("subject").GetString());
        Assert.Equal("\"0x1\"", root.GetProperty("data").GetProperty("eTag").GetString());
        Assert.Equal(10, root.GetProperty("data").GetProperty("contentLength").GetInt64());
        var back = BlobCreatedEvent.ParseAll(Event("a/b.jpg").ToJson()).Single().BlobCreatedData();
        Assert.Equal(("\"0x1\"", (long?)10), (back?.ETag, back?.ContentLength));
    }

    [Theory]
    [InlineData("{ this is not json")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("[{\"subject\": \"x\"}]")]
    public void ParseAll_NotAnEvent_IsFormatException(string json) => Assert.Throws<FormatException>(() => BlobCreatedEvent.ParseAll(json));

    [Fact]
    public void BlobCreatedData_OtherEventType_IsNull()
    {
        var deleted = new EventGridEvent("/blobServices/default/containers/images/blobs/x.jpg", "Microsoft.Storage.BlobDeleted", "", BinaryData.FromString("{}"));
        Assert.Null(deleted.BlobCreatedData());
    }
}
