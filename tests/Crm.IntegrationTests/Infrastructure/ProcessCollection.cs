namespace Crm.IntegrationTests.Infrastructure;

/// <summary>
/// Test classes that mostly wait on processes of their own (<c>crm</c> commands, serve nodes, a demo run):
/// they run one after another here, beside the other collections, on the run's one cluster.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ProcessCollection : ICollectionFixture<PostgresCluster>
{
    /// <summary>The collection name to put on test classes.</summary>
    public const string Name = "postgres-processes";
}
