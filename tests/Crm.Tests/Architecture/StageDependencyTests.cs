using Xunit.Abstractions;

namespace Crm.Tests.Architecture;

/// <summary>
/// Data flows one way through the stages of <c>Crm.Pipeline</c> (issue 21, docs/ARCHITECTURE.md): a stage may name
/// the types of the stages before it and of the layers below all of them, never of a stage after it.
/// </summary>
public sealed class StageDependencyTests(ITestOutputHelper output)
{
    /// <summary>
    /// The flow, lowest first. A stage may use a stage of a lower rank only; stages of one rank (Churn, Clv,
    /// Segments) do not use each other. Warehouse, Display, Jobs and Privacy lie below every stage; retention runs
    /// last and may use any stage. Backup and Notifications are no part of the flow: only the cycle test holds them.
    /// </summary>
    private static readonly Dictionary<string, int> Rank = new(StringComparer.Ordinal)
    {
        ["Warehouse"] = 0,
        ["Display"] = 0,
        ["Jobs"] = 1,
        ["Privacy"] = 2,
        ["Sources"] = 10,
        ["Cleaning"] = 11,
        ["Identity"] = 12,
        ["Features"] = 13,
        ["Churn"] = 14,
        ["Clv"] = 14,
        ["Segments"] = 14,
        ["Reports"] = 15,
        ["Retention"] = 16,
    };

    /// <summary>
    /// Uses against the flow that main still had when this test came (issue 21), each to be removed here in the
    /// commit that untangles it. A use not listed fails; a listed one that is gone fails too, so the list only shrinks.
    /// </summary>
    private static readonly SortedSet<string> NotYetUntangled = new(StringComparer.Ordinal);

    private static readonly Lazy<StageGraph> Graph = new(() => StageGraph.Read(typeof(Crm.Pipeline.Warehouse.Migrator).Assembly.Location));

    [Fact]
    public void Reader_SeesTheTypesOneStageNamesOfAnother()
    {
        // Every stage job runs through Jobs' IPipelineStage, and Reports loads its SQL through Warehouse's SqlResource:
        // a reader that missed these would pass the tests below without looking.
        Assert.True(Graph.Value.DependsOn("Reports", "Jobs"), Graph.Value.Matrix());
        Assert.True(Graph.Value.DependsOn("Reports", "Warehouse"), Graph.Value.Matrix());
        Assert.Contains("Identity", Graph.Value.Stages);
    }

    [Fact]
    public void StageNamespaces_HaveNoCycle()
    {
        var graph = Graph.Value;
        output.WriteLine(graph.Matrix());
        var cycles = graph.Cycles(NotYetUntangled);
        Assert.True(cycles.Count == 0, "stage folders that use each other: " + string.Join("; ", cycles.Select(c => Describe(graph, c))) + "\n" + graph.Matrix());
    }

    [Fact]
    public void StageNamespaces_UseOnlyStagesEarlierInTheFlow()
    {
        var graph = Graph.Value;
        var wrong = new List<string>();
        foreach (var (from, row) in graph.Edges)
        {
            foreach (var (to, why) in row)
            {
                if (Rank.TryGetValue(from, out var a) && Rank.TryGetValue(to, out var b) && a <= b && !NotYetUntangled.Contains(from + " → " + to))
                {
                    wrong.Add(from + " → " + to + " (" + string.Join(", ", why.Take(3)) + ")");
                }
            }
        }

        Assert.True(wrong.Count == 0, "stages that use a later stage: " + string.Join("; ", wrong));
    }

    [Fact]
    public void Domain_HoldsNoGenerator()
    {
        // The synthetic company generator is its own project (src/Crm.Synthetic), so the service never loads it.
        var domain = typeof(Crm.Pipeline.Warehouse.Migrator).Assembly;
        Assert.DoesNotContain(domain.GetReferencedAssemblies(), a => a.Name == "Crm.Synthetic");
        Assert.DoesNotContain("Synthetic", Graph.Value.Stages);
        Assert.Equal("Crm.Synthetic", typeof(Crm.Synthetic.GeneratorOptions).Assembly.GetName().Name);
    }

    [Fact]
    public void NotYetUntangled_ListsOnlyUsesThatStillExist()
    {
        var gone = NotYetUntangled.Where(e => !Graph.Value.DependsOn(e.Split(" → ")[0], e.Split(" → ")[1])).ToList();
        Assert.True(gone.Count == 0, "untangled, remove from NotYetUntangled: " + string.Join(", ", gone));
    }

    private static string Describe(StageGraph graph, List<string> component)
    {
        var pairs = from a in component
                    from b in component
                    where graph.DependsOn(a, b)
                    select a + " → " + b + " (" + string.Join(", ", graph.Edges[a][b].Take(2)) + ")";
        return string.Join(", ", pairs);
    }
}
