namespace FunctionsDrift.Cli.Tests;

/// <summary>Images of a format the decoder cannot read are named in a warning, not dropped without a word.</summary>
public sealed class UnreadableImageTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("drift-unreadable-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Embed_WarnsAboutTiffAndHeicButNotOtherFiles()
    {
        var dir = AugmentCommandTests.MakeInputs(_root, 3);
        File.WriteAllBytes(Path.Combine(dir, "cam_0004.tif"), [0x49, 0x49, 0x2A, 0x00]);
        File.WriteAllBytes(Path.Combine(dir, "cam_0005.HEIC"), [0, 0, 0, 0x18]);
        File.WriteAllText(Path.Combine(dir, "labels.csv"), "image,label\n");
        var csv = Path.Combine(_root, "features.csv");

        var (code, _, err) = await CliEndToEndTests.Run("embed", dir, "--out", csv, "--no-embedding");

        Assert.True(code == 0, err);
        var warning = Assert.Single(err.Split('\n'), l => l.StartsWith("warning:", StringComparison.Ordinal));
        Assert.Contains("left out 2 image(s)", warning);
        Assert.Contains("cam_0004.tif, cam_0005.HEIC", warning);
        Assert.DoesNotContain("labels.csv", warning);
        Assert.Equal(1 + 3, File.ReadAllLines(csv).Length);
    }

    [Fact]
    public async Task Embed_OnlyUnreadableImagesIsAnErrorAfterTheWarning()
    {
        var dir = Directory.CreateDirectory(Path.Combine(_root, "tiffs")).FullName;
        File.WriteAllBytes(Path.Combine(dir, "a.tiff"), [0x4D, 0x4D, 0x00, 0x2A]);

        var (code, _, err) = await CliEndToEndTests.Run("embed", dir, "--out", Path.Combine(_root, "f.csv"), "--no-embedding");

        Assert.NotEqual(0, code);
        Assert.Contains("warning: left out 1 image(s) of a format this tool cannot read (a.tiff)", err);
        Assert.Contains("error: no images", err);
    }
}
