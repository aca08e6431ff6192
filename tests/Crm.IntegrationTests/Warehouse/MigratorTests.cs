using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Warehouse;
using Npgsql;

namespace Crm.IntegrationTests.Warehouse;

[Collection(PostgresCollection.Name)]
public sealed class MigratorTests(PostgresCluster cluster)
{
    [Fact]
    public async Task MigrateAsync_AppliesEveryMigrationOnce_AndASecondRunChangesNothing()
    {
        await using var dataSource = NpgsqlDataSource.Create(await cluster.CreateDatabaseAsync("mig"));
        var migrator = new Migrator(dataSource);

        var first = await migrator.MigrateAsync(CancellationToken.None);
        var schemaAfterFirst = await SchemaFingerprintAsync(dataSource);
        var second = await migrator.MigrateAsync(CancellationToken.None);

        Assert.Equal(Migrator.KnownMigrations, first);
        Assert.Empty(second);
        Assert.Equal(schemaAfterFirst, await SchemaFingerprintAsync(dataSource));
        Assert.Empty(await migrator.PendingAsync(CancellationToken.None));
        foreach (var schema in new[] { "ops", "staging", "quarantine", "core", "ml", "quartz" })
        {
            Assert.True(await dataSource.ScalarAsync<bool>($"select exists (select 1 from pg_namespace where nspname = '{schema}')"), schema);
        }
    }

    [Fact]
    public async Task MigrateAsync_RefusesAnEditedMigration()
    {
        await using var dataSource = await cluster.CreateMigratedDatabaseAsync("edit");
        await dataSource.ExecuteAsync("update ops.schema_migration set checksum = 'tampered' where name = '0001_foundation'");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new Migrator(dataSource).MigrateAsync(CancellationToken.None));
        Assert.Contains("0001_foundation", error.Message, StringComparison.Ordinal);
    }

    private static async Task<string> SchemaFingerprintAsync(NpgsqlDataSource dataSource) =>
        await dataSource.ScalarAsync<string>(
            """
            select string_agg(table_schema || '.' || table_name || '.' || column_name || ':' || data_type, ',' order by 1)
            from information_schema.columns where table_schema in ('ops','staging','quarantine','core','ml','quartz')
            """);
}
