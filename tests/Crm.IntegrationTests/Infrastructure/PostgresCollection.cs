namespace Crm.IntegrationTests.Infrastructure;

/// <summary>
/// The test classes that share the run's cluster, one after another. Classes that neither share state nor
/// race for the machine go into one of the other collections (<see cref="ProcessCollection"/>, <see cref="HostCollection"/>, <see cref="DemoCollection"/>)
/// that run beside this one; all of them use the same cluster.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresCluster>
{
    /// <summary>The collection name to put on test classes.</summary>
    public const string Name = "postgres";
}
