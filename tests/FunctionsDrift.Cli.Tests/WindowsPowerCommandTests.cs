using FunctionsDrift.Cli.Commands;
using FunctionsDrift.Core.Augmentation;
using SkiaSharp;

namespace FunctionsDrift.Cli.Tests;

public sealed class WindowsPowerCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("drift-power-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static SKBitmap Grey(byte level) => Synth.Solid(32, 24, new SKColor(level, level, level));

    [Theory]
    [InlineData("warm-cast", 3, 206, 200, 194)] // red × 1.03, blue × 0.97
    [InlineData("exposure", 4, 192, 192, 192)]  // every channel × 0.96
    public void WindowShift_ScalesTheChannelsOfEveryFrame(string shift, double strength, int red, int green, int blue)
    {
        using var source = Grey(200);
        using var generator = new DriftGenerator();
        var kind = WindowShift.Parse(shift);

        Assert.Null(kind.Apply(source, 0, frame: 0, seed: 1, generator));
        using var changed = kind.Apply(source, strength, frame: 0, seed: 1, generator)!;

        var pixel = changed.GetPixel(10, 10);
        Assert.InRange((int)pixel.Red, red - 1, red + 1);
        Assert.InRange((int)pixel.Green, green - 1, green + 1);
        Assert.InRange((int)pixel.Blue, blue - 1, blue + 1);
    }

    [Fact]
    public void WindowShift_ShareKindsChangeAGrowingSupersetOfFrames()
    {
        using var source = Grey(120);
        using var generator = new DriftGenerator();
        var dark = WindowShift.Parse("dark-frames");

        HashSet<int> Changed(double share)
        {
            var set = new HashSet<int>();
            for (int frame = 0; frame < 400; frame++)
            {
                using var result = dark.Apply(source, share, frame, seed: 7, generator);
                if (result is not null) set.Add(frame);
            }
            return set;
        }
        var ten = Changed(10);
        var thirty = Changed(30);

        Assert.InRange(ten.Count, 25, 55);
        Assert.InRange(thirty.Count, 95, 145);
        Assert.Subset(thirty, ten);
        using var darkened = dark.Apply(source, 100, frame: 0, seed: 7, generator)!;
        Assert.InRange((int)darkened.GetPixel(3, 3).Red, 71, 73); // 120 × 0.6
        Assert.Throws<CliException>(() => WindowShift.Parse("sepia"));
    }

    [Fact]
    public async Task WindowsPowerCommand_ReplotsOnePanelPerShiftFromTheCsv()
    {
        var csv = Path.Combine(_root, "power.csv");
        File.WriteAllText(csv, """
            shift,strength,windows,flagged,power,mmd_power,block_mmd_power,image_flag_rate
            warm-cast,0,48,0,0,0,0.04,0
            warm-cast,2,48,48,1,0,0.04,1
            dark-frames,0,48,0,0,0,0.04,0
            dark-frames,5,48,45,0.9375,0,0.04,0.068
            """.Replace("            ", ""));

        var (code, _, stderr) = await ReportTests.Run("windows-power", "--replot", csv, "--window", "47", "--out", _root);

        Assert.True(code == 0, stderr);
        var svg = File.ReadAllText(Path.Combine(_root, "power.svg"));
        Assert.Contains("data-plot=\"power-warm-cast\"", svg);
        Assert.Contains("data-plot=\"power-dark-frames\"", svg);
        Assert.DoesNotContain("power-blur", svg);
        Assert.Contains("data-series=\"windows of 47\"", svg);
        Assert.Contains("data-series=\"frames one by one\"", svg);
        Assert.Contains("93.8 %", svg); // the 5 % dark-frames point's tooltip
        Assert.Contains("<style>", svg);
    }

    [Fact]
    public async Task WindowsPowerCommand_NeedsTheReferenceAndStreamToMeasure()
    {
        var (code, _, stderr) = await ReportTests.Run("windows-power", "--out", _root);
        Assert.Equal(2, code);
        Assert.Contains("--reference-features and --stream are required", stderr);
    }
}
