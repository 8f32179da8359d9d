using FunctionsDrift.Cli.Reporting;

namespace FunctionsDrift.Cli.Tests;

/// <summary>The CLI's CSV reader over Sep keeps what the hand-written one accepted.</summary>
public sealed class CsvTableTests
{
    [Fact]
    public void CsvTable_QuotedLineBreaks_BlankLines_ShortRows_Bom()
    {
        var table = CsvTable.Parse("\uFEFFimage , label,kind\n\"a\nb.jpg\",1,\"x,y\"\n\nc.jpg,0\n");
        Assert.Equal(["image", "label", "kind"], table.Header);
        Assert.Equal(2, table.Rows.Count);
        Assert.Equal("a\nb.jpg", CsvTable.Cell(table.Rows[0], table.Column("image")));
        Assert.Equal("x,y", CsvTable.Cell(table.Rows[0], table.Column("kind")));
        Assert.Equal("", CsvTable.Cell(table.Rows[1], table.Column("kind")));
        Assert.Throws<CliException>(() => CsvTable.Parse(""));
    }
}
