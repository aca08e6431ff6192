namespace Crm.IntegrationTests.Infrastructure;

/// <summary>
/// The test classes that run the whole <c>crm demo</c> (the longest tests of the run, about a third of the
/// process-bound time): one after another here, beside the other collections, on the run's one cluster.
/// </summary>
[CollectionDefinition(Name)]
public sealed class DemoCollection : ICollectionFixture<PostgresCluster>
{
    /// <summary>The collection name to put on test classes.</summary>
    public const string Name = "postgres-demo";
}
