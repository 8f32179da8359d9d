using Azure.Storage.Blobs.Models;
using FunctionsDrift.Core.Features;

namespace FunctionsDrift.Storage.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class ReferenceFeatureCacheTests(AzuriteFixture azurite, EngineFixture engine)
{
    [Fact]
    public async Task FeatureCache_SecondExtraction_ReusesEveryImage_ReplacedReExtracted_DeletedPruned_CorruptIgnored()
    {
        var env = new TestEnv(azurite, engine, "refcache");
        await env.InitAsync();
        foreach (var (name, seed) in new[] { ("a.jpg", 1), ("b.jpg", 2), ("c.jpg", 3) })
        {
            await env.Reference.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(TestImages.Scene(seed)));
        }
        var log = new RecordingLogger<ReferenceFeatureCacheTests>();
        var cache = new ReferenceFeatureCache(env.Models.Container, engine.Extractor.ModelIdentity, log);
        Task<ReferenceExtraction> Extract() => ReferenceImages.ExtractAsync(env.Reference, engine.Extractor, maxParallel: 2, "Test", log, default, zoomed: true, cache);

        var first = await Extract();
        Assert.Equal(0, first.Reused);
        var second = await Extract();
        Assert.Equal(3, second.Reused);
        for (int i = 0; i < 3; i++)
        {
            var expected = engine.Extractor.ExtractReference(TestImages.Scene(i + 1));
            AssertSameFeatures(expected, first.Features[i]);
            AssertSameFeatures(expected, second.Features[i]);
        }

        // A replaced image has a new ETag, so its entry is stale; a deleted one's entry goes.
        await env.Reference.GetBlobClient("b.jpg").UploadAsync(BinaryData.FromBytes(TestImages.Scene(7)), overwrite: true);
        await env.Reference.GetBlobClient("c.jpg").DeleteAsync();
        var third = await Extract();
        Assert.Equal(1, third.Reused);
        Assert.Equal(2, third.Features.Count);
        AssertSameFeatures(engine.Extractor.ExtractReference(TestImages.Scene(7)), third.Features[1]);
        var entries = new List<string>();
        await foreach (var item in env.Models.Container.GetBlobsAsync(new GetBlobsOptions { Prefix = ReferenceFeatureCache.Prefix }))
        {
            entries.Add(item.Name);
        }
        Assert.Equal([cache.Folder + "a.jpg", cache.Folder + "b.jpg"], entries.Order(StringComparer.Ordinal));

        // An unreadable entry costs a re-extraction and a warning, never the image.
        var entry = env.Models.Container.GetBlobClient(cache.Folder + "a.jpg");
        var metadata = (await entry.GetPropertiesAsync()).Value.Metadata;
        await entry.UploadAsync(BinaryData.FromString("not features"), new BlobUploadOptions { Metadata = metadata });
        var fourth = await Extract();
        Assert.Equal(1, fourth.Reused);
        AssertSameFeatures(engine.Extractor.ExtractReference(TestImages.Scene(1)), fourth.Features[0]);
        Assert.Contains(log.Messages, m => m.Contains("a.jpg") && m.Contains("unreadable"));

        // So does an entry too large to be one, without reading it whole.
        await entry.UploadAsync(BinaryData.FromBytes(new byte[ReferenceFeatureCache.MaxEntryBytes + 1]), new BlobUploadOptions { Metadata = metadata });
        var fifth = await Extract();
        Assert.Equal(1, fifth.Reused);
        AssertSameFeatures(engine.Extractor.ExtractReference(TestImages.Scene(1)), fifth.Features[0]);
        Assert.Contains(log.Messages, m => m.Contains("a.jpg") && m.Contains("more than the"));

        // Another embedder (or schema) never reads these entries, and its refit prunes them.
        var other = new ReferenceFeatureCache(env.Models.Container, "another-embedder");
        Assert.NotEqual(cache.Folder, other.Folder);
        Assert.Null(await other.TryLoadAsync("a.jpg", (await env.Reference.GetBlobClient("a.jpg").GetPropertiesAsync()).Value.ETag, default));
        Assert.Equal(2, await other.PruneAsync(new HashSet<string> { "a.jpg", "b.jpg" }, default));
    }

    [Fact]
    public void FeatureCache_Format_RoundTripsExactly_AndRefusesDamage()
    {
        var features = engine.Extractor.ExtractReference(TestImages.Scene(5));
        var bytes = ReferenceFeatureCache.Serialize(features);
        AssertSameFeatures(features, ReferenceFeatureCache.Deserialize(bytes));

        Assert.Throws<InvalidDataException>(() => ReferenceFeatureCache.Deserialize(bytes.AsSpan(0, bytes.Length - 1)));
        Assert.Throws<InvalidDataException>(() => ReferenceFeatureCache.Deserialize([.. bytes, 0]));
        var badMagic = bytes.ToArray();
        badMagic[0] = (byte)'X';
        Assert.Throws<InvalidDataException>(() => ReferenceFeatureCache.Deserialize(badMagic));
        var hugeLength = bytes.ToArray();
        BitConverter.TryWriteBytes(hugeLength.AsSpan(20), int.MaxValue);
        Assert.Throws<InvalidDataException>(() => ReferenceFeatureCache.Deserialize(hugeLength));
    }

    private static void AssertSameFeatures(ImageFeatures expected, ImageFeatures actual)
    {
        Assert.Equal(expected.Embedding, actual.Embedding);
        Assert.Equal(expected.Hsv, actual.Hsv);
        Assert.Equal(expected.Quality, actual.Quality);
        Assert.Equal(expected.Patch, actual.Patch);
        Assert.NotEmpty(actual.ZoomedPatch);
        Assert.Equal(expected.ZoomedPatch, actual.ZoomedPatch);
        Assert.Equal(expected.Edges, actual.Edges);
        Assert.Equal((expected.Width, expected.Height, expected.PatchCount), (actual.Width, actual.Height, actual.PatchCount));
    }
}
