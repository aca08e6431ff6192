namespace Crm.IntegrationTests.Infrastructure;

/// <summary>
/// Test classes that run the service or the dashboard inside the test process (and most drive the run's one
/// headless Chromium against it). Hangfire keeps static state (its log provider, its global configuration),
/// so these run one after another here, beside the other collections, on the run's one cluster.
/// </summary>
[CollectionDefinition(Name)]
public sealed class HostCollection : ICollectionFixture<PostgresCluster>
{
    /// <summary>The collection name to put on test classes.</summary>
    public const string Name = "postgres-hosts";
}
