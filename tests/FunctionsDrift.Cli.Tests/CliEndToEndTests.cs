using System.Text;
using System.Text.Json;
using FunctionsDrift.Cli.Reporting;
using FunctionsDrift.Core.Augmentation;
using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Model;
using SkiaSharp;
using static FunctionsDrift.Testing.Synth;

namespace FunctionsDrift.Cli.Tests;

/// <summary>
/// A generated fixed-camera set: 40 reference scenes, 12 clean test scenes, 8 drifted ones (DriftGenerator), labels.csv,
/// and one unreadable (0-byte) file. <c>drift fit</c> runs once here; every test reads its model.
/// </summary>
public sealed class CliSetFixture : IDisposable
{
    public static readonly DriftKind[] Kinds =
    [
        DriftKind.Invert, DriftKind.GaussianNoise, DriftKind.VerticalFlip, DriftKind.ObjectPaste,
        DriftKind.Grayscale, DriftKind.ChannelShuffle, DriftKind.SunFlare, DriftKind.Emboss,
    ];

    public string Root { get; } = Directory.CreateTempSubdirectory("drift-e2e-").FullName;
    public string Reference => Path.Combine(Root, "reference");
    public string Test => Path.Combine(Root, "test");
    public string Labels => Path.Combine(Root, "labels.csv");
    public string ModelPath => Path.Combine(Root, "model", "reference.fdm");
    public (int Code, string Out, string Err) Fit { get; }

    public CliSetFixture()
    {
        Directory.CreateDirectory(Reference);
        Directory.CreateDirectory(Test);
        for (int i = 0; i < 40; i++) Save(Scene(1000 + i), Path.Combine(Reference, $"frame{i:000}.jpg"));
        var labels = new StringBuilder("image,label,kind\n");
        for (int i = 0; i < 12; i++)
        {
            var name = $"t{i:00}_clean.jpg";
            Save(Scene(2000 + i), Path.Combine(Test, name));
            labels.Append($"{name},0,none\n");
        }
        using var generator = new DriftGenerator();
        for (int i = 0; i < Kinds.Length; i++)
        {
            using var scene = Scene(3000 + i);
            using var drifted = generator.Apply(scene, Kinds[i], new Random(i));
            var name = $"t{12 + i:00}_{Kinds[i].Name}.jpg";
            Save(drifted.Image, Path.Combine(Test, name));
            labels.Append($"{name},1,{Kinds[i].Name}\n");
        }
        File.WriteAllText(Labels, labels.ToString());
        File.WriteAllBytes(Path.Combine(Test, "t99_broken.jpg"), []);
        File.WriteAllText(Path.Combine(Test, "readme.txt"), "not an image, not listed");

        Fit = CliEndToEndTests.Run("fit", "--reference", Reference, "--out", ModelPath).GetAwaiter().GetResult();
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private static void Save(SKBitmap b, string path)
    {
        var format = path.EndsWith(".png", StringComparison.Ordinal) ? SKEncodedImageFormat.Png : SKEncodedImageFormat.Jpeg;
        using var data = b.Encode(format, 92);
        File.WriteAllBytes(path, data.ToArray());
    }
}

public sealed class CliEndToEndTests(CliSetFixture set) : IClassFixture<CliSetFixture>
{
    internal static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await DriftCli.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static readonly string[] Detectors = ["pca", "knn", "hsv", "quality", "patch", "view", "region", "wide"];

    private static void AssertOneErrorLine(string stderr, string contains)
    {
        var errors = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
        Assert.Single(errors);
        Assert.Contains(contains, errors[0]);
        Assert.DoesNotContain("   at ", stderr);
        Assert.DoesNotContain("Exception", stderr);
    }

    private IReadOnlyList<string> TestImageNames() =>
        Directory.GetFiles(set.Test).Select(Path.GetFileName).Where(n => !n!.EndsWith(".txt", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList()!;

    [Fact]
    public void CliFit_WritesModelAndSummary()
    {
        var (code, stdout, stderr) = set.Fit;
        Assert.True(code == 0, stderr);
        Assert.True(File.Exists(set.ModelPath));
        var model = ReferenceModel.LoadFile(set.ModelPath);
        Assert.Equal(40, model.ImageCount);
        Assert.Contains($"reference model {model.Version}", stdout);
        Assert.Contains("images: 40", stdout);
        foreach (var d in Detectors) Assert.Contains($"  {d,-8} threshold", stdout);
        Assert.DoesNotContain("error:", stderr);
    }

    [Fact]
    public async Task CliScore_CsvHasARowPerImageInNameOrder()
    {
        var (code, stdout, stderr) = await Run("score", set.Test, "--model", set.ModelPath);
        Assert.True(code == 0, stderr);

        var table = CsvTable.Parse(stdout);
        var header = table.Header.ToList();
        var expected = new List<string> { "image", "drift", "fused_p" };
        foreach (var d in Detectors) expected.AddRange([$"{d}_score", $"{d}_threshold", $"{d}_p", $"{d}_flag"]);
        expected.AddRange(["reasons", "error"]);
        Assert.Equal(expected, header);

        var rows = table.Rows.Select(r => r.ToList()).ToList();
        Assert.All(rows, r => Assert.Equal(header.Count, r.Count));
        Assert.Equal(TestImageNames(), rows.Select(r => r[0]));

        var byName = rows.ToDictionary(r => r[0]);
        var broken = byName["t99_broken.jpg"];
        Assert.Equal("", broken[1]);
        Assert.Contains("empty", broken[^1]);

        var scored = rows.Where(r => r[0] != "t99_broken.jpg").ToList();
        Assert.All(scored, r =>
        {
            Assert.Contains(r[1], new[] { "true", "false" });
            Assert.InRange(double.Parse(r[2], System.Globalization.CultureInfo.InvariantCulture), 0, 1);
            Assert.Equal("", r[^1]);
            Assert.Equal(r[1] == "true", r[^2].Length > 0); // reasons exactly when drifted
        });
        int falseAlarms = scored.Count(r => r[0].EndsWith("_clean.jpg", StringComparison.Ordinal) && r[1] == "true");
        int hits = scored.Count(r => !r[0].EndsWith("_clean.jpg", StringComparison.Ordinal) && r[1] == "true");
        Assert.True(falseAlarms <= 1, $"{falseAlarms} of 12 clean images flagged");
        Assert.True(hits >= 6, $"{hits} of 8 drifted images flagged");
    }

    [Fact]
    public async Task CliScore_JsonLinesToFile()
    {
        var output = Path.Combine(set.Root, "scores.jsonl");
        var (code, stdout, stderr) = await Run("score", set.Test, "--model", set.ModelPath, "--format", "jsonl", "--out", output);
        Assert.True(code == 0, stderr);
        Assert.Contains("unreadable", stdout);

        var version = ReferenceModel.LoadFile(set.ModelPath).Version;
        var docs = File.ReadAllLines(output).Select(l => JsonDocument.Parse(l)).ToList();
        Assert.Equal(TestImageNames(), docs.Select(d => d.RootElement.GetProperty("image").GetString()));
        foreach (var d in docs)
        {
            var root = d.RootElement;
            if (root.GetProperty("image").GetString() == "t99_broken.jpg")
            {
                Assert.Equal(JsonValueKind.Null, root.GetProperty("drift").ValueKind);
                Assert.Equal(JsonValueKind.String, root.GetProperty("error").ValueKind);
                continue;
            }
            Assert.Equal(version, root.GetProperty("reference_version").GetString());
            var detectors = root.GetProperty("detectors");
            Assert.Equal(Detectors, detectors.EnumerateObject().Select(p => p.Name));
            foreach (var p in detectors.EnumerateObject())
            {
                Assert.Equal(p.Value.GetProperty("flag").GetBoolean(), p.Value.GetProperty("score").GetDouble() >= p.Value.GetProperty("threshold").GetDouble());
            }
        }
    }

    [Fact]
    public async Task CliEmbed_WritesAllFeatureColumns()
    {
        var output = Path.Combine(set.Root, "features.csv");
        var (code, stdout, stderr) = await Run("embed", set.Test, "--out", output);
        Assert.True(code == 0, stderr);

        var table = CsvTable.ReadFile(output);
        var header = table.Header;
        int featureColumns = 512 + 3 * ColorFeatures.Bins + QualityFeatures.Count;
        Assert.Equal(3 + featureColumns + 1, header.Count);
        Assert.Equal("emb_511", header[3 + 511]);
        Assert.Contains($"{featureColumns} feature columns", stdout);
        Assert.Equal(TestImageNames().Count, table.Rows.Count);
        Assert.All(table.Rows, r => Assert.Equal(header.Count, r.Length));
        var clean = table.Rows[0];
        Assert.Equal("160", clean[1]);
        Assert.Equal("", clean[^1]);
    }

    [Fact]
    public async Task CliEval_PrintsTableWithFusedRow()
    {
        var (code, stdout, stderr) = await Run("eval", "--model", set.ModelPath, "--test", set.Test, "--labels", set.Labels);
        Assert.True(code == 0, stderr);
        Assert.Contains("20 labelled test images (8 drifted)", stdout);
        Assert.Contains("1 unreadable", stdout);
        var fused = stdout.Split('\n').Single(l => l.StartsWith("| FUSED (all)", StringComparison.Ordinal));
        foreach (var d in Detectors) Assert.Contains(stdout.Split('\n'), l => l.StartsWith($"| {d} ", StringComparison.Ordinal));
        Assert.Contains("recall per drift kind", stdout);
        Assert.Contains("| invert |", stdout);
        Assert.Matches(@"\|\s+\d+[.,]\d\s?%\s+\|", fused);
        // Only a model was given, so the benign checks use clean test images and no reference images.
        Assert.Matches(@"\| re-encoded as JPEG, quality 90–97 \| clean test images \| \d+ of 12 \| \d+ of 12 \|", stdout);
        Assert.Matches(@"\| exposure 5 % lower \(every channel ×0.95\) \| clean test images \| \d+ of 12 \| \d+ of 12 \|", stdout);
        Assert.DoesNotContain("| reference images |", stdout);
    }

    [Fact]
    public async Task CliScore_MissingFolderIsOneErrorLine()
    {
        var (code, stdout, stderr) = await Run("score", Path.Combine(set.Root, "no-such-folder"), "--model", set.ModelPath);
        Assert.NotEqual(0, code);
        AssertOneErrorLine(stderr, "no-such-folder");
        Assert.Equal("", stdout);
    }

    [Fact]
    public async Task CliFit_MissingFolderIsOneErrorLine()
    {
        var (code, _, stderr) = await Run("fit", "--reference", Path.Combine(set.Root, "nothing"), "--out", Path.Combine(set.Root, "x.fdm"));
        Assert.NotEqual(0, code);
        AssertOneErrorLine(stderr, "nothing");
    }

    [Fact]
    public async Task CliFit_UnknownDetectorIsRefusedBeforeAnyImageIsRead()
    {
        var (code, _, stderr) = await Run("fit", "--reference", set.Reference, "--out", Path.Combine(set.Root, "y.fdm"), "--detectors", "knn,magic");
        Assert.NotEqual(0, code);
        AssertOneErrorLine(stderr, "unknown detector 'magic'");
        Assert.DoesNotContain("reading reference", stderr);
    }

    [Fact]
    public async Task CliScore_CorruptModelIsOneErrorLine()
    {
        var bad = Path.Combine(set.Root, "corrupt.fdm");
        var bytes = File.ReadAllBytes(set.ModelPath);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(bad, bytes);
        var (code, stdout, stderr) = await Run("score", set.Test, "--model", bad);
        Assert.NotEqual(0, code);
        AssertOneErrorLine(stderr, "corrupt");
        Assert.Equal("", stdout);

        var text = Path.Combine(set.Root, "text.fdm");
        File.WriteAllText(text, "hello");
        (code, _, stderr) = await Run("score", set.Test, "--model", text);
        Assert.NotEqual(0, code);
        AssertOneErrorLine(stderr, "not a FunctionsDrift reference model");
    }

    [Fact]
    public async Task CliScore_OtherPrecisionIsRefusedWithTheFix()
    {
        // The fixture's model is fitted with the default (fp32) embedder.
        var (code, stdout, stderr) = await Run("score", set.Test, "--model", set.ModelPath, "--precision", "int8");
        Assert.NotEqual(0, code);
        AssertOneErrorLine(stderr, "fitted with fp32 ResNet18");
        Assert.Contains("this run embeds with int8 ResNet18", stderr);
        Assert.Contains("score with --precision fp32", stderr);
        Assert.Equal("", stdout);

        var int8Model = Path.Combine(set.Root, "int8.fdm");
        var fit = await Run("fit", "--reference", set.Reference, "--out", int8Model, "--precision", "int8");
        Assert.True(fit.Code == 0, fit.Err);
        (code, _, stderr) = await Run("score", set.Test, "--model", int8Model, "--precision", "fp32");
        Assert.NotEqual(0, code);
        AssertOneErrorLine(stderr, "fitted with int8 ResNet18");
        Assert.Contains("score with --precision int8, or refit the reference with this precision (drift fit --precision fp32)", stderr);
        (code, _, stderr) = await Run("score", set.Test, "--model", int8Model, "--precision", "int8");
        Assert.True(code == 0, stderr);
    }

    [Fact]
    public async Task CliScore_WithoutPrecisionUsesTheModelsOwn()
    {
        var int8Model = Path.Combine(set.Root, "int8-own.fdm");
        var fit = await Run("fit", "--reference", set.Reference, "--out", int8Model, "--precision", "int8");
        Assert.True(fit.Code == 0, fit.Err);
        var implicitRun = await Run("score", set.Test, "--model", int8Model);
        Assert.True(implicitRun.Code == 0, implicitRun.Err);
        var explicitRun = await Run("score", set.Test, "--model", int8Model, "--precision", "int8");
        Assert.True(explicitRun.Code == 0, explicitRun.Err);
        // Same images and verdicts (ONNX Runtime's threaded sums may differ in the last digits between runs).
        static string[] Verdicts(string csv) => csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join(',', l.Split(',').Take(2))).ToArray();
        Assert.Equal(Verdicts(explicitRun.Out), Verdicts(implicitRun.Out));
        Assert.Equal(TestImageNames().Count + 1, Verdicts(implicitRun.Out).Length);
    }

    [Fact]
    public async Task CliScore_MissingModelIsOneErrorLine()
    {
        var (code, _, stderr) = await Run("score", set.Test, "--model", Path.Combine(set.Root, "absent.fdm"));
        Assert.NotEqual(0, code);
        AssertOneErrorLine(stderr, "not found");
    }
}
