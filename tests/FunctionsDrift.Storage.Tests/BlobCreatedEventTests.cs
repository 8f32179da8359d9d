using FunctionsDrift.Storage;

namespace FunctionsDrift.Storage.Tests;

public sealed class BlobCreatedEventTests
{
    private static BlobCreatedEvent Event(string name) =>
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
}
