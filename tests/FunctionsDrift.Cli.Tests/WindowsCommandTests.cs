using System.Globalization;
using System.Text;
using FunctionsDrift.Cli.Commands;
using FunctionsDrift.Cli.Reporting;
using FunctionsDrift.Core.Features;

namespace FunctionsDrift.Cli.Tests;

public sealed class WindowsCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("drift-windows-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static double Gauss(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>Writes a <c>drift embed</c>-format CSV of synthetic features; image i is shifted by shift(i).</summary>
    private string WriteFeatures(string name, int count, Func<int, double> shift, int seed, Func<int, double>? quality = null)
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
            cells.AddRange(QualityFeatures.Names.Select(_ => 1 + (quality?.Invoke(i) ?? 0) + 0.1 * Gauss(rng)));
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
        var stream = WriteFeatures("s", 240, i => i / 40 * 0.06, seed: 2);
        var scores = WriteScores(240, i => i % 20 == 0, DateTimeOffset.Parse("2026-03-01T00:00:00Z", CultureInfo.InvariantCulture), TimeSpan.FromMinutes(1));

        var (code, stdout, stderr) = await ReportTests.Run("windows", "--reference-features", reference, "--features", stream, "--scores", scores,
            "--window", "40");

        Assert.True(code == 0, stderr);
        Assert.Contains("skipped 1 reference and 1 stream rows", stderr);
        var rows = stdout.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal) && !l.StartsWith("| window", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, rows.Count);
        Assert.StartsWith("| 1-40 ", rows[0]);
        Assert.True(rows[0].TrimEnd().EndsWith("| ok", StringComparison.Ordinal), stdout);
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
            "--period", "1h");

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
    public async Task WindowsCommand_ReferenceTooShortIsAClearError()
    {
        var reference = WriteFeatures("r", 120, _ => 0, seed: 1);
        var (code, stdout, stderr) = await ReportTests.Run("windows", "--reference-features", reference, "--features", reference, "--window", "40");
        Assert.Equal(1, code);
        Assert.Contains("error: the reference is too short for windows of 40 images: 120 reference images hold", stderr);
        Assert.Contains("use a contiguous reference of at least", stderr);
        Assert.DoesNotContain("drift", stdout);
    }

    [Fact]
    public async Task WindowsCommand_WritesOneCsvRowPerWindowInOrder()
    {
        var reference = WriteFeatures("r", 300, _ => 0, seed: 1);
        var stream = WriteFeatures("s", 100, i => i >= 60 ? 0.5 : 0, seed: 2);
        var scores = WriteScores(100, i => i % 10 == 0, DateTimeOffset.Parse("2026-03-01T00:00:00Z", CultureInfo.InvariantCulture), TimeSpan.FromMinutes(1));
        var csv = Path.Combine(_root, "windows.csv");

        var (code, stdout, stderr) = await ReportTests.Run("windows", "--reference-features", reference, "--features", stream, "--scores", scores,
            "--window", "30", "--out", csv);

        Assert.True(code == 0, stderr);
        Assert.Equal("", stdout);
        Assert.Contains("4 windows, 2 drifted", stderr);
        var table = CsvTable.ReadFile(csv);
        Assert.Equal(WindowWriter.CsvHeader, table.Header);
        Assert.Equal(4, table.Rows.Count);
        string Cell(int row, string column) => CsvTable.Cell(table.Rows[row], table.Column(column));
        Assert.Equal(["1-30", "31-60", "61-90", "91-100"], Enumerable.Range(0, 4).Select(r => Cell(r, "window")));
        Assert.Equal(["s000.jpg", "s030.jpg", "s060.jpg", "s090.jpg"], Enumerable.Range(0, 4).Select(r => Cell(r, "first")));
        Assert.Equal("s029.jpg", Cell(0, "last"));
        Assert.Equal(["30", "30", "30", "10"], Enumerable.Range(0, 4).Select(r => Cell(r, "images")));
        Assert.Equal(["false", "false", "true", "true"], Enumerable.Range(0, 4).Select(r => Cell(r, "drift")));
        Assert.True(double.Parse(Cell(2, "p_value"), CultureInfo.InvariantCulture) <= 0.01);
        Assert.True(double.Parse(Cell(0, "p_value"), CultureInfo.InvariantCulture) > 0.01);
        Assert.True(double.Parse(Cell(2, "mmd2"), CultureInfo.InvariantCulture) > double.Parse(Cell(0, "mmd2"), CultureInfo.InvariantCulture));
        Assert.NotEqual("", Cell(2, "mmd_p"));
        Assert.Equal("", Cell(0, "flagged_channels"));
        Assert.Equal("3", Cell(0, "flagged"));
        Assert.Equal("30", Cell(0, "scored"));
        Assert.Equal("2026-03-01T00:00:00Z", Cell(0, "start"));
    }

    [Fact]
    public async Task WindowsCommand_WritesJsonLinesWithTheFlaggedChannels()
    {
        var reference = WriteFeatures("r", 300, _ => 0, seed: 1);
        // The last 30 images: quality statistics shifted (brightness and the rest), the embedding unchanged.
        var stream = WriteFeatures("s", 60, _ => 0, seed: 2, quality: i => i >= 30 ? 0.3 : 0);

        var (code, stdout, stderr) = await ReportTests.Run("windows", "--reference-features", reference, "--features", stream, "--window", "30", "--format", "jsonl");

        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal("1-30", lines[0].GetProperty("window").GetString());
        Assert.Equal("s030.jpg", lines[1].GetProperty("first").GetString());
        Assert.False(lines[0].GetProperty("drift").GetBoolean());
        Assert.True(lines[1].GetProperty("drift").GetBoolean());
        var flagged = lines[1].GetProperty("flagged_channels").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("brightness", flagged);
        Assert.Equal(3 + QualityFeatures.Count, lines[1].GetProperty("channels").GetArrayLength()); // hue, saturation, value + quality
        Assert.True(lines[1].GetProperty("p_value").GetDouble() <= 0.01);
        Assert.Equal(System.Text.Json.JsonValueKind.Number, lines[1].GetProperty("mmd2").ValueKind);
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
