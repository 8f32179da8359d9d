using FunctionsDrift.LocalHost;
using Microsoft.Extensions.Logging.Abstractions;

namespace FunctionsDrift.Storage.Tests;

/// <summary>Faults and hostile input on the storage side: each test names what it proves.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class FaultTests(AzuriteFixture azurite, EngineFixture engine)
{
    private static async Task<TestEnv> WithModelAsync(AzuriteFixture azurite, EngineFixture engine, string name)
    {
        var env = new TestEnv(azurite, engine, name);
        await env.InitAsync();
        await env.UploadReferenceAsync(24);
        Assert.True((await env.Refit().RefitAsync(default)).Published);
        return env;
    }

    private static async Task<string> UploadAsync(TestEnv env, string name, byte[] bytes) =>
        (await env.Images.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(bytes), overwrite: true)).Value.ETag.ToString();

    [Fact]
    public async Task HostFunctions_ForeignAndMalformedEvents_AreDroppedAlone_TheGoodEventIsScored()
    {
        var env = await WithModelAsync(azurite, engine, "evt");
        var etag = await UploadAsync(env, "e/good.jpg", TestImages.Scene(4100));
        await UploadAsync(env, "e/other.jpg", TestImages.Scene(4101));
        var account = env.Clients.Blobs.AccountName;
        var url = env.Images.GetBlobClient("e/good.jpg").Uri;
        var good = BlobCreatedEvent.Create(account, env.Settings.ImagesContainer, "e/good.jpg", etag, 10, url);
        var otherContainer = BlobCreatedEvent.Create(account, env.Settings.ReferenceContainer, "frame-0000.jpg", "x", 10, url);
        var otherAccount = BlobCreatedEvent.Create("someoneelse", env.Settings.ImagesContainer, "e/other.jpg", "x", 10, url);
        var malformed = good with { Subject = "/not/a/blob/subject" };
        var message = "[" + string.Join(',', new[] { malformed, otherContainer, good, otherAccount }.Select(e => e.ToJson())) + "]";

        var functions = new HostFunctions(env.Scoring(), env.Refit(), await env.ScannerAsync(new LocalHostOptions()), env.Clients, env.Settings,
            NullLogger<HostFunctions>.Instance);
        await functions.ScoreImage(message, 1, default);
        await functions.ScoreImage("{ this is not json", 1, default);
        await functions.ScoreImage("[]", 1, default);

        var row = Assert.Single(await env.AllRowsAsync());
        Assert.Equal("e/good.jpg", row.BlobName);
        Assert.Equal(ResultEntity.StatusOk, row.Status);
    }
}
