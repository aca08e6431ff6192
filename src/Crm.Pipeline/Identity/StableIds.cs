namespace Crm.Pipeline.Identity;

/// <summary>An id event for <c>identity.customer_history</c>.</summary>
/// <param name="Event">created | merged | split.</param>
/// <param name="CustomerId">The id the event is about (the survivor of a merge, the new id of a split).</param>
/// <param name="RelatedCustomerId">The id absorbed by a merge, or split from.</param>
internal sealed record IdEvent(string Event, long CustomerId, long? RelatedCustomerId);

/// <summary>The ids given to the clusters of a run.</summary>
/// <param name="CustomerIds">Customer id per record.</param>
/// <param name="MergedInto">Old ids that no longer lead a cluster → the id that absorbed them.</param>
/// <param name="Events">What happened to ids in this run.</param>
internal sealed record IdAssignment(long[] CustomerIds, IReadOnlyDictionary<long, long> MergedInto, IReadOnlyList<IdEvent> Events);

/// <summary>
/// Gives each new cluster a customer id that is stable across runs. Every old id goes with the new
/// cluster holding most of its records (on a tie, the part first seen earliest); a cluster claimed by several old ids keeps the oldest
/// (smallest) and the others are merged into it; a cluster claimed by none gets a new id, recorded as
/// a split when its records came from an existing customer, else as created.
/// </summary>
internal static class StableIds
{
    /// <param name="oldIds">Current customer id per record (null for a new record).</param>
    /// <param name="labels">New cluster label per record.</param>
    /// <param name="seniority">Per record, smaller = older (first seen earlier); breaks ties so the oldest part of a split keeps the id.</param>
    /// <param name="newId">Allocates a new id.</param>
    public static IdAssignment Assign(long?[] oldIds, int[] labels, long[] seniority, Func<long> newId)
    {
        var oldest = new Dictionary<int, long>();
        for (var i = 0; i < labels.Length; i++)
        {
            oldest[labels[i]] = oldest.TryGetValue(labels[i], out var s) ? Math.Min(s, seniority[i]) : seniority[i];
        }

        var byOld = new Dictionary<long, Dictionary<int, int>>();
        for (var i = 0; i < labels.Length; i++)
        {
            if (oldIds[i] is { } o)
            {
                if (!byOld.TryGetValue(o, out var counts))
                {
                    byOld[o] = counts = [];
                }

                counts[labels[i]] = counts.GetValueOrDefault(labels[i]) + 1;
            }
        }

        var claims = new SortedDictionary<int, List<long>>();
        foreach (var (old, counts) in byOld)
        {
            var best = counts.OrderByDescending(c => c.Value).ThenBy(c => oldest[c.Key]).ThenBy(c => c.Key).First().Key;
            if (!claims.TryGetValue(best, out var list))
            {
                claims[best] = list = [];
            }

            list.Add(old);
        }

        var clusterId = new Dictionary<int, long>();
        var merged = new Dictionary<long, long>();
        var events = new List<IdEvent>();
        foreach (var label in labels.Distinct().Order())
        {
            if (claims.TryGetValue(label, out var claimants))
            {
                claimants.Sort();
                clusterId[label] = claimants[0];
                foreach (var other in claimants.Skip(1))
                {
                    merged[other] = claimants[0];
                    events.Add(new IdEvent("merged", claimants[0], other));
                }
            }
        }

        // New ids in label order, so reruns on the same input allocate in the same order.
        var fromOld = new Dictionary<int, SortedSet<long>>();
        for (var i = 0; i < labels.Length; i++)
        {
            if (!clusterId.ContainsKey(labels[i]) && oldIds[i] is { } o)
            {
                if (!fromOld.TryGetValue(labels[i], out var set))
                {
                    fromOld[labels[i]] = set = [];
                }

                set.Add(o);
            }
        }

        var ids = new long[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            if (!clusterId.TryGetValue(labels[i], out var id))
            {
                clusterId[labels[i]] = id = newId();
                if (fromOld.TryGetValue(labels[i], out var sources))
                {
                    events.AddRange(sources.Select(s => new IdEvent("split", id, s)));
                }
                else
                {
                    events.Add(new IdEvent("created", id, null));
                }
            }

            ids[i] = id;
        }

        return new IdAssignment(ids, merged, events);
    }
}
