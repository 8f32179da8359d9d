using System.Text.Json;
using FunctionsDrift.Cli.Commands;
using FunctionsDrift.Cli.Reporting;
using FunctionsDrift.Core.Scoring;

namespace FunctionsDrift.Cli.Tests;

/// <summary>One row model and one writer: what <c>drift results</c> writes, <c>drift report</c> reads back.</summary>
public sealed class ResultRowWriterTests
{
    private static readonly DateTimeOffset Scored = new(2026, 11, 30, 13, 5, 0, TimeSpan.Zero);

    private static ResultRow TableRow(string image, bool drift) => new()
    {
        Image = image,
        Drift = drift,
        FusedP = drift ? 0.001 : 0.4,
        ReferenceVersion = "v1",
        Detectors = [new DetectorResult("patch", 2.5, 2, 0.002, drift, "worst patch"), new DetectorResult("hsv", 0.01, 0.05, 0.5, false, "")],
        Reasons = drift ? "patch: worst patch (p=2e-3)" : "",
        Status = "ok",
        BlobLastModified = Scored.AddSeconds(-2),
        ScoredAt = Scored,
        Width = 768,
        Height = 576,
        BlobUrl = "http://127.0.0.1/images/" + image,
        BlobETag = "\"0x8DD\"",
    };

    [Fact]
    public void ResultRowWriter_TableRows_CsvReadBackByScoreTable_DetectorsInRegistryOrder()
    {
        var rows = new[] { TableRow("cam/1.jpg", false), TableRow("cam/2.jpg", true), new ResultRow { Image = "cam/bad.jpg", Error = "not an image", Status = "error", ErrorKind = "NotAnImage", ScoredAt = Scored } };
        var detectors = ResultRowWriter.DetectorsOf(rows);
        Assert.Equal(["hsv", "patch"], detectors); // the registry's order, not the rows'

        var text = new StringWriter();
        ResultRowWriter.Write(text, "csv", detectors, rows, tableColumns: true);
        var table = ScoreTable.Parse(text.ToString());
        Assert.Equal(["hsv", "patch"], table.DetectorNames);
        Assert.Equal([false, true, null], table.Rows.Select(r => r.Drift));
        Assert.True(table.Rows[1].Detector("patch")!.Flag);
        Assert.Equal(2.5, table.Rows[1].Detector("patch")!.Score);
        Assert.Equal(Scored, table.Rows[0].ScoredAt);
        Assert.Equal("not an image", table.Rows[2].Error);
        var csv = CsvTable.Parse(text.ToString());
        Assert.Equal("\"0x8DD\"", CsvTable.Cell(csv.Rows[0], csv.Column("blob_etag")));
        Assert.Equal("NotAnImage", CsvTable.Cell(csv.Rows[2], csv.Column("error_kind")));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ResultRowWriter_Csv_ReadBackByScoreTable_GivesTheSameRows(bool tableColumns)
    {
        var rows = new[] { TableRow("cam/1.jpg", false), TableRow("=cam/2.jpg", true), new ResultRow { Image = "cam/bad.jpg", Error = "not an image", Status = "error", ErrorKind = "NotAnImage", ScoredAt = Scored } };
        var detectors = ResultRowWriter.DetectorsOf(rows);
        var text = new StringWriter();
        ResultRowWriter.Write(text, "csv", detectors, rows, tableColumns);

        var back = ScoreTable.Parse(text.ToString()).Rows;
        Assert.Equal(rows.Length, back.Count);
        foreach (var (row, read) in rows.Zip(back))
        {
            // The CSV carries the detectors in the registry's order and without their detail; the table's fields only with tableColumns.
            var expected = tableColumns ? row : new ResultRow { Image = row.Image, Drift = row.Drift, FusedP = row.FusedP, Reasons = row.Reasons, Error = row.Error };
            Assert.Equal(expected with { Detectors = [] }, read with { Detectors = [] });
            Assert.Equal(detectors.Select(row.Detector).OfType<DetectorResult>().Select(d => d with { Detail = "" }), read.Detectors);
        }
        var again = new StringWriter();
        ResultRowWriter.Write(again, "csv", ResultRowWriter.DetectorsOf(back), back, tableColumns);
        Assert.Equal(text.ToString(), again.ToString());
    }

    [Fact]
    public void ResultRowWriter_JsonLines_SnakeCase_DetectorsKeyedByName_TableFieldsOnlyWhenPresent()
    {
        var text = new StringWriter();
        ResultRowWriter.Write(text, "jsonl", [], [TableRow("cam/2.jpg", true), ResultRow.Failed("local.jpg", "empty file")]);
        var lines = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(0.001, lines[0].GetProperty("fused_p").GetDouble());
        Assert.Equal("v1", lines[0].GetProperty("reference_version").GetString());
        Assert.Equal(768, lines[0].GetProperty("width").GetInt32());
        Assert.Equal(["patch", "hsv"], lines[0].GetProperty("detectors").EnumerateObject().Select(p => p.Name));
        Assert.True(lines[0].GetProperty("detectors").GetProperty("patch").GetProperty("flag").GetBoolean());
        Assert.Equal(JsonValueKind.Null, lines[1].GetProperty("drift").ValueKind);
        Assert.False(lines[1].TryGetProperty("status", out _));
        Assert.Equal("empty file", lines[1].GetProperty("error").GetString());

        // The same row read back: the detectors' shape round-trips.
        var back = JsonSerializer.Deserialize<ResultRow>(lines[0].GetRawText(), new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower })!;
        Assert.Equal(TableRow("cam/2.jpg", true).Detectors, back.Detectors);
    }
}
