using System.Globalization;
using System.Text;
using FunctionsDrift.Cli.Commands;
using FunctionsDrift.Core.Features;

namespace FunctionsDrift.Cli.Tests;

public sealed class WindowsCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("drift-windows-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static double Gauss(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>Writes a <c>drift embed</c>-format CSV of synthetic features; image i is shifted by shift(i).</summary>
    private string WriteFeatures(string name, int count, Func<int, double> shift, int seed)
    {
        const int dim = 8;
        var rng = new Random(seed);
        var sb = new StringBuilder("image,width,height,");
        sb.Append(string.Join(',', Enumerable.Range(0, dim).Select(i => $"emb_{i}"))).Append(',');
        sb.Append(string.Join(',', ColorFeatures.Channels.SelectMany(c => Enumerable.Range(0, ColorFeatures.Bins).Select(b => $"{c}_{b}")))).Append(',');
        sb.Append(string.Join(',', QualityFeatures.Names)).Append(",error\n");
        for (int i = 0; i < count; i++)
        {
            double s = shift(i);
            var cells = new List<double>();
            cells.AddRange(Enumerable.Range(0, dim).Select(d => 1 + (d < dim / 2 ? s : -s) + 0.3 * Gauss(rng)));
            cells.AddRange(Enumerable.Repeat(1.0 / ColorFeatures.Bins, ColorFeatures.Channels.Length * ColorFeatures.Bins));
            cells.AddRange(QualityFeatures.Names.Select(_ => 1 + 0.1 * Gauss(rng)));
            sb.Append(CultureInfo.InvariantCulture, $"{name}{i:000}.jpg,64,48,");
            sb.Append(string.Join(',', cells.Select(v => v.ToString("G7", CultureInfo.InvariantCulture)))).Append(",\n");
        }
        sb.Append(CultureInfo.InvariantCulture, $"{name}-broken.jpg,,,").Append(new string(',', dim + ColorFeatures.Channels.Length * ColorFeatures.Bins + QualityFeatures.Count - 1)).Append(",decode failed\n");
        var path = Path.Combine(_root, name + ".csv");
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    private string WriteScores(int count, Func<int, bool> flagged, DateTimeOffset start, TimeSpan every)
    {
        var sb = new StringBuilder("image,drift,fused_p,hsv_score,hsv_threshold,hsv_p,hsv_flag,reasons,error,scored_at\n");
        for (int i = 0; i < count; i++)
        {
            bool f = flagged(i);
            sb.Append(CultureInfo.InvariantCulture, $"s{i:000}.jpg,{(f ? "true" : "false")},{(f ? 0.001 : 0.5)},1,2,0.5,{(f ? "true" : "false")},,,{(start + i * every).ToString("O", CultureInfo.InvariantCulture)}\n");
        }
        var path = Path.Combine(_root, "scores.csv");
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    [Fact]
    public async Task WindowsCommand_CatchesAGradualDriftInTheLastWindows()
    {
        var reference = WriteFeatures("r", 300, _ => 0, seed: 1);
        var stream = WriteFeatures("s", 240, i => i / 40 * 0.03, seed: 2);
        var scores = WriteScores(240, i => i % 20 == 0, DateTimeOffset.Parse("2026-03-01T00:00:00Z", CultureInfo.InvariantCulture), TimeSpan.FromMinutes(1));

        var (code, stdout, stderr) = await ReportTests.Run("windows", "--reference-features", reference, "--features", stream, "--scores", scores,
            "--window", "40", "--permutations", "300", "--seed", "3");

        Assert.True(code == 0, stderr);
        Assert.Contains("skipped 1 reference and 1 stream rows", stderr);
        var rows = stdout.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal) && !l.StartsWith("| window", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, rows.Count);
        Assert.StartsWith("| 1-40 ", rows[0]);
        Assert.EndsWith("| ok", rows[0].TrimEnd());
        Assert.Contains("| drift (mmd", rows[^1]);
        // 2 of 40 flagged per window: 5 % with its Wilson interval.
        Assert.Contains("2/40 5.0 % [1.4 %, 16.5 %]", rows[0]);
        Assert.Contains("windows drifted", stdout);
    }

    [Fact]
    public async Task WindowsCommand_TimeWindowsFollowScoredAt()
    {
        var reference = WriteFeatures("r", 60, _ => 0, seed: 1);
        var stream = WriteFeatures("s", 30, _ => 0, seed: 2);
        var scores = WriteScores(30, _ => false, DateTimeOffset.Parse("2026-03-01T10:00:00Z", CultureInfo.InvariantCulture), TimeSpan.FromMinutes(10));

        var (code, stdout, stderr) = await ReportTests.Run("windows", "--reference-features", reference, "--features", stream, "--scores", scores,
            "--period", "1h", "--permutations", "200");

        Assert.True(code == 0, stderr);
        Assert.Contains("| 2026-03-01 10:00  |      6 |", stdout);
        Assert.Contains("| 2026-03-01 14:00  |      6 |", stdout);
        Assert.Contains("0/6 0.0 %", stdout);
    }

    [Fact]
    public async Task WindowsCommand_PeriodWithoutTimestampsIsAUsageError()
    {
        var reference = WriteFeatures("r", 20, _ => 0, seed: 1);
        var (code, _, stderr) = await ReportTests.Run("windows", "--reference-features", reference, "--features", reference, "--period", "1h");
        Assert.Equal(2, code);
        Assert.Contains("error: --period needs a scored_at or timestamp", stderr);
    }

    [Fact]
    public async Task WindowsCommand_WarnsWhenPermutationsCannotReachAlpha()
    {
        var reference = WriteFeatures("r", 20, _ => 0, seed: 1);
        var (code, _, stderr) = await ReportTests.Run("windows", "--reference-features", reference, "--features", reference, "--permutations", "50");
        Assert.Equal(0, code);
        Assert.Contains("warning: with 50 permutations", stderr);
    }

    [Theory]
    [InlineData("30m", 30 * 60)]
    [InlineData("1h", 3600)]
    [InlineData("1.5d", 1.5 * 86400)]
    [InlineData("00:15:00", 900)]
    public void WindowsCommand_ParsesPeriods(string text, double seconds) =>
        Assert.Equal(seconds, WindowsCommand.ParsePeriod(text).TotalSeconds);

    [Fact]
    public void WindowsCommand_RejectsABadPeriod() =>
        Assert.Throws<CliException>(() => WindowsCommand.ParsePeriod("soon"));
}
