using System.Text;
using Crm.Pipeline.Sources;

namespace Crm.Tests.Sources;

public sealed class RecordReaderTests
{
    private static List<(string Text, long Line, long Offset, bool Oversized, bool Unterminated)> ReadAll(string input, int max = 1 << 20, bool quotes = false)
    {
        var reader = new RecordReader(new MemoryStream(Encoding.UTF8.GetBytes(input)), max, quotes);
        var list = new List<(string, long, long, bool, bool)>();
        while (reader.TryRead(out var record))
        {
            list.Add((Encoding.UTF8.GetString(record), reader.LineNumber, reader.RecordOffset, reader.Oversized, reader.Unterminated));
        }

        return list;
    }

    [Fact]
    public void TryRead_SplitsLfAndCrlfLines_WithLineNumbersAndByteOffsets()
    {
        var records = ReadAll("ab\r\ncde\nf\n");

        Assert.Equal(["ab", "cde", "f"], records.Select(r => r.Text));
        Assert.Equal([1L, 2L, 3L], records.Select(r => r.Line));
        Assert.Equal([0L, 4L, 8L], records.Select(r => r.Offset));
        Assert.All(records, r => Assert.False(r.Unterminated));
    }

    [Fact]
    public void TryRead_MarksALastLineWithoutNewlineAsUnterminated()
    {
        var records = ReadAll("a\nhalf");

        Assert.Equal("half", records[^1].Text);
        Assert.True(records[^1].Unterminated);
    }

    [Fact]
    public void TryRead_KeepsNewlinesInsideQuotes_WhenQuoteAware()
    {
        var records = ReadAll("1,\"two\nlines\",3\n4,5,6\n", quotes: true);

        Assert.Equal(["1,\"two\nlines\",3", "4,5,6"], records.Select(r => r.Text));
        Assert.Equal(3, records[1].Line);
    }

    [Fact]
    public void TryRead_ReportsAnOversizedRecord_AndCarriesOnWithTheNextOne()
    {
        var huge = new string('x', 3 * 70_000);
        var records = ReadAll($"ok\n{huge}\nnext\n", max: 70_000);

        Assert.Equal(3, records.Count);
        Assert.True(records[1].Oversized);
        Assert.True(records[1].Text.Length <= 70_000);
        Assert.Equal("next", records[2].Text);
        Assert.Equal(3 + huge.Length + 1, records[2].Offset);
    }
}
