namespace FunctionsDrift.Storage.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class ReferenceImagesTests(AzuriteFixture azurite, EngineFixture engine)
{
    [Fact]
    public async Task ReferenceImages_NameOrder_UndecodableSkippedWithWarning_MissingContainerReported()
    {
        var env = new TestEnv(azurite, engine, "refimg");
        await env.InitAsync();
        // Uploaded out of name order: the features must come back in name order (= time order).
        foreach (var (name, seed) in new[] { ("c.jpg", 3), ("a.jpg", 1), ("b.jpg", 2) })
        {
            await env.Reference.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(TestImages.Scene(seed)));
        }
        await env.Reference.GetBlobClient("bad.jpg").UploadAsync(BinaryData.FromString("this is not an image"));
        var log = new RecordingLogger<ReferenceImagesTests>();

        var got = await ReferenceImages.ExtractAsync(env.Reference, engine.Extractor, maxParallel: 2, "Test", log, default);

        Assert.True(got.ContainerFound);
        Assert.Equal(0, got.Oversized);
        Assert.Equal(3, got.Features.Count);
        for (int i = 0; i < 3; i++)
        {
            var expected = engine.Extractor.Extract(TestImages.Scene(i + 1));
            Assert.Equal(expected.Hsv, got.Features[i].Hsv);
        }
        Assert.Contains(log.Messages, m => m.Contains("bad.jpg") && m.Contains("skipped"));
        Assert.Contains(log.Messages, m => m.StartsWith("Test: 4 reference images listed", StringComparison.Ordinal));

        var missing = await ReferenceImages.ExtractAsync(env.Clients.Blobs.GetBlobContainerClient($"{env.Settings.ReferenceContainer}-none"),
            engine.Extractor, maxParallel: 2, "Test", log, default);
        Assert.False(missing.ContainerFound);
        Assert.Empty(missing.Features);
    }
}
