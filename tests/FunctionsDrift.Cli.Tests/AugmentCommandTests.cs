using FunctionsDrift.Core.Augmentation;
using SkiaSharp;

namespace FunctionsDrift.Cli.Tests;

public sealed class AugmentCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("drift-augment-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>Writes <paramref name="count"/> small PNG scenes (img00.png …) into a new folder.</summary>
    internal static string MakeInputs(string root, int count, string name = "in")
    {
        var dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        for (int i = 0; i < count; i++)
        {
            using var bitmap = new SKBitmap(new SKImageInfo(64, 48, SKColorType.Rgba8888, SKAlphaType.Premul));
            using (var canvas = new SKCanvas(bitmap))
            {
                canvas.Clear(new SKColor((byte)(40 + i * 20), 120, 200));
                using var paint = new SKPaint { Color = new SKColor(240, (byte)(i * 30), 30), IsAntialias = true };
                canvas.DrawCircle(16 + i * 4, 12, 9, paint);
                paint.Color = SKColors.Black;
                canvas.DrawRect(0, 36, 64, 6, paint);
            }
            using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(dir, $"img{i:00}.png"), data.ToArray());
        }
        return dir;
    }

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await DriftCli.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task AugmentCommand_WritesDriftedCleanAndLabels()
    {
        var input = MakeInputs(_root, 4);
        File.WriteAllBytes(Path.Combine(input, "broken.jpg"), [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]);
        File.WriteAllText(Path.Combine(input, "notes.txt"), "not an image");
        var output = Path.Combine(_root, "out");

        var (code, stdout, stderr) = await Run("augment", "--in", input, "--out", output, "--kinds", "rain, invert,grayscale", "--seed", "3", "--include-clean");

        Assert.Equal(0, code);
        Assert.Contains("warning: skipping broken.jpg", stderr);
        Assert.DoesNotContain("error:", stderr);
        Assert.Contains("wrote 4 drifted + 4 clean", stdout);

        var lines = File.ReadAllLines(Path.Combine(output, "labels.csv"));
        Assert.Equal("image,label,kind,params", lines[0]);
        Assert.Equal(1 + 8, lines.Length);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        var clean = rows.Where(r => r[1] == "0").ToList();
        var drifted = rows.Where(r => r[1] == "1").ToList();
        Assert.Equal(4, clean.Count);
        Assert.All(clean, r => Assert.Equal("none", r[2]));
        Assert.Equal(["img00.png", "img01.png", "img02.png", "img03.png"], clean.Select(r => r[0]));
        Assert.Equal(4, drifted.Count);
        Assert.All(drifted, r => Assert.Contains(r[2], new[] { "rain", "invert", "grayscale" }));
        // Round-robin over three kinds: the first three images get three different kinds, the fourth repeats the first.
        Assert.Equal(3, drifted.Take(3).Select(r => r[2]).Distinct().Count());
        Assert.Equal(drifted[0][2], drifted[3][2]);
        Assert.All(drifted, r => Assert.Equal($"{Path.GetFileNameWithoutExtension(r[0]).Split("__")[0]}__{r[2]}.jpg", r[0]));

        var files = Directory.GetFiles(output).Select(Path.GetFileName).ToList();
        Assert.Equal(4 + 4 + 1, files.Count);
        foreach (var row in rows)
        {
            using var bitmap = SKBitmap.Decode(Path.Combine(output, row[0]));
            Assert.Equal((64, 48), (bitmap.Width, bitmap.Height));
        }
        Assert.Equal(File.ReadAllBytes(Path.Combine(input, "img02.png")), File.ReadAllBytes(Path.Combine(output, "img02.png")));
    }

    [Fact]
    public async Task AugmentCommand_UsesEveryKindOnceForElevenImages()
    {
        var input = MakeInputs(_root, 11);
        var output = Path.Combine(_root, "out");
        var (code, _, stderr) = await Run("augment", "--in", input, "--out", output);
        Assert.True(code == 0, stderr);
        var kinds = File.ReadAllLines(Path.Combine(output, "labels.csv")).Skip(1).Select(l => l.Split(',')[2]).ToList();
        Assert.Equal(DriftKinds.All.Select(k => k.Name).Order(), kinds.Order());
        Assert.Equal(11, Directory.GetFiles(output, "*.jpg").Length);
    }

    [Fact]
    public async Task AugmentCommand_SameSeedSameOutputDifferentSeedDifferentOrder()
    {
        var input = MakeInputs(_root, 6);
        var a = Path.Combine(_root, "a");
        var b = Path.Combine(_root, "b");
        var c = Path.Combine(_root, "c");
        Assert.Equal(0, (await Run("augment", "--in", input, "--out", a, "--seed", "5")).Code);
        Assert.Equal(0, (await Run("augment", "--in", input, "--out", b, "--seed", "5")).Code);
        Assert.Equal(0, (await Run("augment", "--in", input, "--out", c, "--seed", "6")).Code);
        var labelsA = File.ReadAllText(Path.Combine(a, "labels.csv"));
        Assert.Equal(labelsA, File.ReadAllText(Path.Combine(b, "labels.csv")));
        Assert.NotEqual(labelsA, File.ReadAllText(Path.Combine(c, "labels.csv")));
        foreach (var file in Directory.GetFiles(a))
        {
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(b, Path.GetFileName(file))));
        }
    }

    [Fact]
    public async Task AugmentCommand_UnknownKindExitsWithUsageError()
    {
        var input = MakeInputs(_root, 1);
        var (code, _, stderr) = await Run("augment", "--in", input, "--out", Path.Combine(_root, "out"), "--kinds", "rain,fog");
        Assert.Equal(2, code);
        Assert.StartsWith("error: unknown kind 'fog'", stderr);
        foreach (var kind in DriftKinds.All)
        {
            Assert.Contains(kind.Name, stderr);
        }
        Assert.False(File.Exists(Path.Combine(_root, "out", "labels.csv")));
    }

    [Fact]
    public async Task AugmentCommand_MissingOrEmptyInputFails()
    {
        var (code, _, stderr) = await Run("augment", "--in", Path.Combine(_root, "nope"), "--out", Path.Combine(_root, "out"));
        Assert.Equal(2, code);
        Assert.Contains("error: folder not found", stderr);

        var empty = Directory.CreateDirectory(Path.Combine(_root, "empty")).FullName;
        (code, _, stderr) = await Run("augment", "--in", empty, "--out", Path.Combine(_root, "out"));
        Assert.Equal(2, code);
        Assert.Contains("error: no images in", stderr);
    }

    [Fact]
    public async Task AugmentCommand_ObjectsFolderIsUsedForObjectPaste()
    {
        var input = MakeInputs(_root, 2);
        var objects = MakeInputs(_root, 1, "objects");
        var output = Path.Combine(_root, "out");
        var (code, _, stderr) = await Run("augment", "--in", input, "--out", output, "--kinds", "object-paste", "--objects", objects);
        Assert.True(code == 0, stderr);
        var lines = File.ReadAllLines(Path.Combine(output, "labels.csv")).Skip(1).ToList();
        Assert.Equal(2, lines.Count);
        Assert.All(lines, l => Assert.Contains("\"object=img00.png size=", l));
    }
}
