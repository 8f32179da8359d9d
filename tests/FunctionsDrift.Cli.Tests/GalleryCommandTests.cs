using FunctionsDrift.Core.Augmentation;
using SkiaSharp;

namespace FunctionsDrift.Cli.Tests;

public sealed class GalleryCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("drift-gallery-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await DriftCli.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task GalleryCommand_WritesGalleryPngAndIndexWithEveryKind()
    {
        var input = AugmentCommandTests.MakeInputs(_root, 1);
        var output = Path.Combine(_root, "gallery");
        var (code, stdout, stderr) = await Run("gallery", "--image", Path.Combine(input, "img00.png"), "--out", output, "--thumb-width", "64", "--seed", "9");
        Assert.True(code == 0, stderr);
        Assert.Contains("wrote gallery.png, index.html and 14 images", stdout);

        using var grid = SKBitmap.Decode(Path.Combine(output, "gallery.png"));
        Assert.NotNull(grid);
        Assert.Equal(10 + 4 * (64 + 10), grid.Width);

        var html = File.ReadAllText(Path.Combine(output, "index.html"));
        Assert.StartsWith("<!DOCTYPE html>", html);
        foreach (var kind in DriftKinds.All)
        {
            Assert.Contains($"data-kind=\"{kind.Name}\"", html);
        }
        Assert.Contains("object-paste (small)", html);
        Assert.Contains("object-paste (large)", html);
        Assert.Contains("sigma=", html);
        // Every picture the page shows is a file next to it (works offline).
        var sources = System.Text.RegularExpressions.Regex.Matches(html, "src=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(14, sources.Count);
        Assert.All(sources, s => Assert.True(File.Exists(Path.Combine(output, s)), s));
        Assert.DoesNotContain("http", html);
    }

    [Fact]
    public async Task GalleryCommand_WithoutFontStillWritesTheGrid()
    {
        var input = AugmentCommandTests.MakeInputs(_root, 1);
        var output = Path.Combine(_root, "gallery");
        var (code, _, stderr) = await Run("gallery", "--image", Path.Combine(input, "img00.png"), "--out", output,
            "--thumb-width", "48", "--columns", "7", "--font", Path.Combine(_root, "missing.ttf"));
        Assert.Equal(0, code);
        Assert.Contains("warning: font not found", stderr);
        using var grid = SKBitmap.Decode(Path.Combine(output, "gallery.png"));
        Assert.Equal(10 + 7 * (48 + 10), grid.Width);
        Assert.Equal(10 + 2 * (36 + 10), grid.Height);
    }

    [Fact]
    public async Task GalleryCommand_MissingImageExitsWithUsageError()
    {
        var (code, _, stderr) = await Run("gallery", "--image", Path.Combine(_root, "none.jpg"), "--out", Path.Combine(_root, "g"));
        Assert.Equal(2, code);
        Assert.StartsWith("error: image not found", stderr);
    }
}
