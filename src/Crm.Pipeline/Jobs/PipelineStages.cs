namespace Crm.Pipeline.Jobs;

/// <summary>The order in which the nightly chain runs the registered stages.</summary>
public static class PipelineStages
{
    /// <summary>Stage names in chain order. A stage not registered in this build is left out.</summary>
    public static readonly IReadOnlyList<string> Order =
    [
        "orders", "weblogs", "email", "identity", "features", "train", "score", "clv", "segments", "reports", "retention", "backup",
    ];

    /// <summary>
    /// Stages that run only on a schedule of their own or by hand, never in the nightly chain (or the demo): a backup must
    /// not wait for, nor be skipped by, a night whose earlier stage failed.
    /// </summary>
    public static readonly IReadOnlyList<string> OnTheirOwn = ["backup"];

    /// <summary>The registered stages, sorted in chain order.</summary>
    public static IReadOnlyList<IPipelineStage> Sort(IEnumerable<IPipelineStage> stages) =>
        stages.OrderBy(s => Order.IndexOf(s.Name) is var i && i < 0 ? int.MaxValue : i).ToList();

    private static int IndexOf(this IReadOnlyList<string> list, string name)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == name)
            {
                return i;
            }
        }

        return -1;
    }
}
