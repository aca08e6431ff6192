using Crm.Pipeline.Warehouse;

namespace Crm.Tests.Warehouse;

public sealed class SqlResourceTests
{
    [Fact]
    public void Load_FindsAFileByItsExactName_AndGivesTheFilesText()
    {
        var expected = File.ReadAllText(Crm.Tests.Sources.Repo.File("src", "Crm.Pipeline", "Retention", "retention.sql"));
        Assert.Equal(expected, SqlResource.Load("retention.sql"));
    }

    [Fact]
    public void Load_RefusesTheEndOfAName()
    {
        // "tention.sql" ends retention.sql's name; lookup by suffix would have found it.
        var error = Assert.Throws<InvalidOperationException>(() => SqlResource.Load("tention.sql"));
        Assert.Contains("tention.sql", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Migrations_AreEveryFileOfTheMigrationsFolder_InOrder()
    {
        var folder = Crm.Tests.Sources.Repo.File("src", "Crm.Pipeline", "Warehouse", "Migrations");
        var expected = Directory.GetFiles(folder, "*.sql").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, SqlResource.Migrations().Select(m => m.Name).ToList());
    }
}
