using System.Numerics.Tensors;
using FunctionsDrift.Core.Embedding;
using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Pipeline;
using SkiaSharp;

namespace FunctionsDrift.Core.Tests;

[Collection(EmbedderCollection.Name)]
public sealed class BatchedEmbeddingTests(EmbedderFixture fixture)
{
    [Fact]
    public void OnnxEmbedder_BatchesEqualSingleImages()
    {
        // Five images with batches of up to four: one full batch and one partial, on the graph made dynamic in memory.
        using var batched = new OnnxEmbedder(fixture.Embedder.Manifest, new EmbedderOptions { MaxBatch = 4 });
        var images = new[] { Synth.Scene(1), Synth.Scene(2, noise: 20), Synth.OtherScene(3), Synth.Gradient(200, 150), Synth.Checkerboard(160, 120, 9, SKColors.Red, SKColors.Blue) };
        try
        {
            var outputs = images.Select(_ => new float[512]).ToArray();
            batched.EmbedBatch(images, outputs);
            for (int i = 0; i < images.Length; i++)
            {
                var single = new float[512];
                fixture.Embedder.Embed(images[i], single);
                Assert.True(TensorPrimitives.CosineSimilarity(single, outputs[i]) > 0.99999, $"image {i}");
                var diff = new float[512];
                TensorPrimitives.Subtract(single, outputs[i], diff);
                Assert.True(TensorPrimitives.MaxMagnitude(diff) < 1e-3, $"image {i}");
            }
            // Images in one batch do not bleed into each other: distinct inputs give distinct outputs.
            Assert.True(TensorPrimitives.CosineSimilarity(outputs[0], outputs[2]) < 0.999);
        }
        finally
        {
            foreach (var b in images) b.Dispose();
        }
    }

    [Fact]
    public void FeatureBatch_BatchedExtractionKeepsOrderAndErrors()
    {
        var dir = Directory.CreateTempSubdirectory("drift-batch-").FullName;
        try
        {
            for (int i = 0; i < 7; i++)
            {
                using var b = i % 2 == 0 ? Synth.Scene(i) : Synth.OtherScene(i);
                File.WriteAllBytes(Path.Combine(dir, $"img{i}.jpg"), Synth.Encode(b, SKEncodedImageFormat.Jpeg));
            }
            File.WriteAllBytes(Path.Combine(dir, "img3b.jpg"), []); // unreadable, in the middle of a batch
            var files = ImageFolder.List(dir);
            using var batched = new OnnxEmbedder(fixture.Embedder.Manifest, new EmbedderOptions { MaxBatch = 3 });
            var result = FeatureBatch.Extract(files, new FeatureExtractor(batched), parallelism: 2);
            var reference = FeatureBatch.Extract(files, fixture.Extractor, parallelism: 1);
            Assert.Equal(files.Select(Path.GetFileName), result.Select(r => r.Name));
            Assert.NotNull(Assert.Single(result, r => r.Name == "img3b.jpg").Error);
            foreach (var (a, b) in result.Zip(reference).Where(p => p.First.Features is not null))
            {
                Assert.Equal(b.Features!.Hsv, a.Features!.Hsv);
                Assert.True(TensorPrimitives.CosineSimilarity(a.Features.Embedding, b.Features!.Embedding) > 0.99999, a.Name);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
