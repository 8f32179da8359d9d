using FunctionsDrift.Cli.Commands;
using FunctionsDrift.Cli.Reporting;

namespace FunctionsDrift.Cli.Tests;

/// <summary>Names chosen by uploaders end up in CSV files that people open in spreadsheets (OWASP: CSV injection).</summary>
public sealed class CsvInjectionTests
{
    public static TheoryData<string> Hostile => ["=cmd|' /C calc'!A0.jpg", "+1.jpg", "-2+3.jpg", "@SUM(A1).jpg", "\tx.jpg", "'quoted.jpg", "=a,\"b\".jpg"];

    [Theory]
    [MemberData(nameof(Hostile))]
    public void ScoreWriter_FormulaLikeCell_StartsWithQuote_AndCsvTableReadsTheNameBack(string name)
    {
        var cell = ScoreWriter.Csv(name);
        Assert.StartsWith(cell.StartsWith('"') ? "\"'" : "'", cell);

        var text = new StringWriter();
        ScoreWriter.Write(text, "csv", [], [new ScoredRow(name, null, "-bad: " + name), new ScoredRow("plain.jpg", null, "x")]);
        var table = CsvTable.Parse(text.ToString());
        Assert.Equal(name, CsvTable.Cell(table.Rows[0], table.Column("image")));
        Assert.Equal("-bad: " + name, CsvTable.Cell(table.Rows[0], table.Column("error")));
        Assert.Equal("plain.jpg", CsvTable.Cell(table.Rows[1], table.Column("image")));
        // No cell of the file itself starts a formula.
        foreach (var line in text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            Assert.DoesNotContain(line.TrimStart('"')[0], "=+-@\t");
        }
    }

    [Fact]
    public void ScoreWriter_OrdinaryCellsAreUnchanged()
    {
        Assert.Equal("cam1/frame-0001.jpg", ScoreWriter.Csv("cam1/frame-0001.jpg"));
        Assert.Equal("\"a,b.jpg\"", ScoreWriter.Csv("a,b.jpg"));
        Assert.Equal("", ScoreWriter.Csv(null));
    }
}
