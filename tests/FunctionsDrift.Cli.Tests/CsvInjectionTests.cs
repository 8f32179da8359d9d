using FunctionsDrift.Cli.Commands;
using FunctionsDrift.Cli.Reporting;
using FunctionsDrift.Core.Scoring;

namespace FunctionsDrift.Cli.Tests;

/// <summary>Names chosen by uploaders end up in CSV files that people open in spreadsheets (OWASP: CSV injection).</summary>
public sealed class CsvInjectionTests
{
    public static TheoryData<string> Hostile => ["=cmd|' /C calc'!A0.jpg", "+1.jpg", "-2+3.jpg", "@SUM(A1).jpg", "\tx.jpg", "'quoted.jpg", "=a,\"b\".jpg"];

    [Theory]
    [MemberData(nameof(Hostile))]
    public void ResultRowWriter_FormulaLikeCell_StartsWithQuote_AndCsvTableReadsTheNameBack(string name)
    {
        Assert.StartsWith("'", CsvFormat.Guard(name));

        var text = new StringWriter();
        ResultRowWriter.Write(text, "csv", [], [ResultRow.Failed(name, "-bad: " + name), ResultRow.Failed("plain.jpg", "x")]);
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
    public void ResultRowWriter_OrdinaryCellsAreUnchanged_AndCommasQuoted()
    {
        Assert.Equal("cam1/frame-0001.jpg", CsvFormat.Guard("cam1/frame-0001.jpg"));
        Assert.Equal("", CsvFormat.Guard(null));
        var text = new StringWriter();
        ResultRowWriter.Write(text, "csv", [], [ResultRow.Failed("a,b.jpg", null), ResultRow.Failed("cam1/frame-0001.jpg", null)]);
        var lines = text.ToString().Split('\n');
        Assert.Equal("image,drift,fused_p,reasons,error", lines[0]);
        Assert.Equal("\"a,b.jpg\",,,,", lines[1]);
        Assert.Equal("cam1/frame-0001.jpg,,,,", lines[2]);
    }
}
