using System.Text.RegularExpressions;
using FunctionsDrift.Cli.Reporting;

namespace FunctionsDrift.Cli.Tests;

public sealed class ReportTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("drift-report-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void DriftReport_Thumbnail_SiblingFolderWithTheSamePrefixIsOutside()
    {
        var images = ReportFixtures.WriteImages(_root);
        var sibling = Directory.CreateDirectory(images + "-private").FullName;
        File.Copy(Path.Combine(images, "a.png"), Path.Combine(sibling, "x.png"));

        Assert.NotNull(Thumbnail.Base64Jpeg(images, "a.png", 64));
        Assert.Null(Thumbnail.Base64Jpeg(images, $"../{Path.GetFileName(sibling)}/x.png", 64));
        Assert.Null(Thumbnail.Base64Jpeg(images + Path.DirectorySeparatorChar, $"../{Path.GetFileName(sibling)}/x.png", 64));
        Assert.Null(Thumbnail.Base64Jpeg(images, Path.Combine(sibling, "x.png"), 64));
    }

    [Fact]
    public void ScoreTable_ReadsDetectorsQuotedReasonsErrorsAndTimestamps()
    {
        var table = ScoreTable.Parse(ReportFixtures.Scores);

        Assert.Equal(["hsv", "quality"], table.DetectorNames);
        Assert.Equal(6, table.Rows.Count);
        Assert.Equal("hsv: far, really", table.Rows[0].Reasons);
        Assert.Equal(10, table.Rows[0].Detector("hsv")!.Score);
        Assert.True(table.Rows[0].Detector("hsv")!.Flag);
        Assert.False(table.Rows[5].IsScored());
        Assert.Equal("decode failed", table.Rows[5].Error);
        Assert.True(table.HasTimestamps);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 11, 30, 0, TimeSpan.Zero), table.Rows[3].ScoredAt);
    }

    [Fact]
    public void DriftReport_MetricsCountFlagColumnsAgainstLabels()
    {
        var input = ReportFixtures.Input();
        var rows = ScoreMetrics.PerDetector(input.Scores, ReportFixtures.Labels, ["hsv", "quality"]).ToDictionary(r => r.Name);

        Assert.Equal((1, 1, 2, 1), (rows["hsv"].Tp, rows["hsv"].Fp, rows["hsv"].Fn, rows["hsv"].Tn));
        Assert.Equal((1, 0, 2, 2), (rows["quality"].Tp, rows["quality"].Fp, rows["quality"].Fn, rows["quality"].Tn));
        Assert.Equal((2, 1, 1, 1), (rows["fused"].Tp, rows["fused"].Fp, rows["fused"].Fn, rows["fused"].Tn));
        Assert.Equal(2.0 / 3, rows["fused"].Precision, 10);
        Assert.Equal(2.0 / 3, rows["fused"].Recall, 10);
        Assert.Equal((1, 1), rows["fused"].PerKind["invert"]);
        Assert.Equal((1, 2), rows["fused"].PerKind["blur"]);
        Assert.Equal((0, 2), rows["hsv"].PerKind["blur"]);
    }

    [Fact]
    public void DriftReport_HasAPlotWithThresholdPerDetectorAndTheTables()
    {
        var html = DriftReport.Build(ReportFixtures.Input());

        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("data-plot=\"hist-hsv\"", html);
        Assert.Contains("data-plot=\"hist-quality\"", html);
        Assert.Contains("data-plot=\"drift-rate\"", html);
        Assert.Equal(3, Regex.Count(html, "<svg data-plot="));
        Assert.Contains("data-threshold=\"5\"", html);
        Assert.Contains("data-threshold=\"3\"", html);
        Assert.Contains("threshold 5", html);
        // Reference, clean and drifted series in each histogram.
        Assert.Equal(2, Regex.Count(html, "data-series=\"reference \\(out-of-fold\\)\""));
        Assert.Equal(2, Regex.Count(html, "data-series=\"drifted test\""));
        Assert.Contains("drifted test (n=3)", html);
        Assert.Contains("clean test (n=2)", html);
        Assert.Contains("reference (out-of-fold) (n=8)", html);

        Assert.Contains("<tr data-detector=\"fused\" class=\"fused\"><td>fused</td><td class=\"n\">66.7 %</td><td class=\"n\">66.7 %</td><td class=\"n\">2</td><td class=\"n\">1</td><td class=\"n\">1</td><td class=\"n\">50.0 %</td></tr>", html);
        Assert.Contains("<tr data-detector=\"quality\"><td>quality</td><td class=\"n\">100.0 %</td><td class=\"n\">33.3 %</td><td class=\"n\">1</td><td class=\"n\">0</td><td class=\"n\">2</td>", html);
        Assert.Matches("<tr data-kind=\"blur\"><td>blur</td><td[^>]*>0/2</td><td[^>]*>1/2</td><td[^>]*>1/2</td></tr>", html);

        // Top flagged by fused p: a, c, d; reasons escaped.
        var order = Regex.Matches(html, "<figure data-image=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["a.png", "c.png", "d.png"], order);
        Assert.Contains("hsv: &lt;b&gt;odd&lt;/b&gt;", html);
        Assert.DoesNotContain("<b>odd</b>", html);
    }

    [Fact]
    public void DriftReport_IsSelfContained()
    {
        var html = DriftReport.Build(ReportFixtures.Input(ReportFixtures.WriteImages(_root)));

        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<link", html);
        Assert.DoesNotContain("url(", html);
        Assert.DoesNotContain("@import", html);
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html);
        // Thumbnails are embedded JPEGs.
        Assert.Equal(3, Regex.Count(html, "<img data-thumb=\"1\" alt=\"[^\"]+\" src=\"data:image/jpeg;base64,"));
    }

    [Fact]
    public void DriftReport_WithoutLabelsShowsOneTestSeriesAndFlagRates()
    {
        var html = DriftReport.Build(ReportFixtures.Input(labels: false));

        Assert.Contains("test (n=5)", html);
        Assert.DoesNotContain("drifted test", html);
        Assert.Contains("data-table=\"flag-rates\"", html);
        Assert.DoesNotContain("data-table=\"metrics\"", html);
        Assert.Contains("<td>fused</td><td class=\"n\">3/5</td><td class=\"n\">60.0 %</td>", html);
    }

    [Fact]
    public void DriftReport_WithoutTimestampsHasNoRatePlot()
    {
        var scores = string.Join('\n', ReportFixtures.Scores.Split('\n').Select(l => l[..l.LastIndexOf(',')]));
        var html = DriftReport.Build(ReportFixtures.Input(scores: scores));

        Assert.DoesNotContain("data-plot=\"drift-rate\"", html);
        Assert.Equal(2, Regex.Count(html, "<svg data-plot="));
    }

    [Fact]
    public void DriftReport_RateOverTimeBucketsByAPeriodAndCountsFlags()
    {
        var points = FlagRateOverTime.Compute(ScoreTable.Parse(ReportFixtures.Scores));

        // Two hours of data → 5-minute buckets (the shortest period with at most 48); only occupied buckets are returned.
        Assert.Equal(5, points.Count);
        Assert.Equal(1.0, points[0].Rate);
        Assert.Equal(0.0, points[1].Rate);
        Assert.All(points, p => Assert.InRange(p.Rate, p.Low, p.High));
    }

    [Fact]
    public void SvgPlot_UsesLogScaleOnlyWhenScoresSpanDecades()
    {
        Assert.True(SvgPlot.UseLogScale([0.01, 0.5, 20]));
        Assert.False(SvgPlot.UseLogScale([1, 2, 50]));
        Assert.False(SvgPlot.UseLogScale([-1, 0.01, 100]));

        var svg = SvgPlot.Histogram("h", "t", [new HistogramSeries("r", "#000", [0.01, 0.02, 0.5, 30])], 1);
        Assert.Contains("score (log scale)", svg);
        Assert.Contains(">0.01<", svg);
        Assert.Contains(">10<", svg);
    }

    [Fact]
    public async Task ReportCommand_WritesIndexFromAFittedModel()
    {
        var reference = AugmentCommandTests.MakeInputs(_root, 24, "reference");
        var model = Path.Combine(_root, "ref.fdm");
        var scores = Path.Combine(_root, "scores.csv");
        var outDir = Path.Combine(_root, "report");
        Assert.Equal(0, (await Run("fit", "--reference", reference, "--out", model, "--no-embedding")).Code);
        var (code, _, err) = await Run("score", "--model", model, reference, "--out", scores);
        Assert.True(code == 0, err);

        (code, var stdout, err) = await Run("report", "--model", model, "--scores", scores, "--images", reference, "--out", outDir);

        Assert.True(code == 0, err);
        Assert.Contains("index.html", stdout);
        var html = File.ReadAllText(Path.Combine(outDir, "index.html"));
        // A --no-embedding model: the colour, quality and view detectors (patch novelty needs the CNN).
        foreach (var d in new[] { "hsv", "quality", "view" })
        {
            Assert.Contains($"data-plot=\"hist-{d}\"", html);
        }
        Assert.Equal(3, Regex.Count(html, "data-threshold="));
    }

    [Fact]
    public async Task ReportCommand_MissingScoresFileIsOneErrorLine()
    {
        var (code, _, err) = await Run("report", "--model", Path.Combine(_root, "none.fdm"), "--scores", "x.csv", "--out", _root);
        Assert.Equal(2, code);
        Assert.StartsWith("error: model not found", err);
    }

    internal static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await DriftCli.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
