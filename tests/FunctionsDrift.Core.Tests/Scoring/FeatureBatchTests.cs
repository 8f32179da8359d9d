using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Pipeline;
using SkiaSharp;

namespace FunctionsDrift.Core.Tests;

public sealed class FeatureBatchTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("drift-batch-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ImageFolder_ListsImagesInOrdinalNameOrder()
    {
        foreach (var name in new[] { "b.png", "a10.jpg", "a2.JPG", "notes.txt", "C.webp" })
            File.WriteAllBytes(Path.Combine(_dir, name), [1]);
        var names = ImageFolder.List(_dir).Select(Path.GetFileName).ToList();
        Assert.Equal(["C.webp", "a10.jpg", "a2.JPG", "b.png"], names);
        Assert.Throws<DriftException>(() => ImageFolder.List(Path.Combine(_dir, "missing")));
    }

    [Fact]
    public void FeatureBatch_KeepsOrderAndTurnsBadFilesIntoErrors()
    {
        var files = new List<string>();
        for (int i = 0; i < 6; i++)
        {
            var path = Path.Combine(_dir, $"img{i}.png");
            if (i == 2) File.WriteAllBytes(path, []);
            else if (i == 4) File.WriteAllText(path, "not a picture");
            else
            {
                using var b = Synth.Solid(20 + i, 10, new SKColor(10, 20, 30));
                Synth.Save(b, path);
            }
            files.Add(path);
        }
        files.Add(Path.Combine(_dir, "gone.png"));

        var results = FeatureBatch.Extract(files, new FeatureExtractor(null), parallelism: 2);

        Assert.Equal(files, results.Select(r => r.Path));
        Assert.Contains("empty", results[2].Error);
        Assert.NotNull(results[4].Error);
        Assert.NotNull(results[6].Error);
        foreach (int i in new[] { 0, 1, 3, 5 })
        {
            Assert.Null(results[i].Error);
            Assert.Equal(20 + i, results[i].Features!.Width);
        }
    }
}
