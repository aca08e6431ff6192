namespace Crm.Pipeline.Identity;

/// <summary>
/// Turns linked pairs into clusters while resisting over-merging: pairs are applied strongest
/// first (forced links, then rules, then by probability); a union is refused when the two clusters
/// hold conflicting strong identifiers (two different verified e-mails; or two different dates of
/// birth on records that, compared directly, score below the threshold), when an administrator split the two, or when the result would pass the size cap
/// (counted as an alert). Transitive chains through one weak record therefore cannot glue two
/// people together.
/// </summary>
internal sealed class Clusterer
{
    private readonly IReadOnlyList<MatchRecord> _records;
    private readonly MatchingOptions _options;
    private readonly int[] _parent;
    private readonly Dictionary<int, List<int>> _members = [];
    private readonly Dictionary<int, List<int>> _cannotLink = [];

    private readonly FellegiSunterModel _model;

    public Clusterer(IReadOnlyList<MatchRecord> records, MatchingOptions options, FellegiSunterModel model)
    {
        _records = records;
        _options = options;
        _model = model;
        _parent = new int[records.Count];
        for (var i = 0; i < _parent.Length; i++)
        {
            _parent[i] = i;
        }
    }

    public int CapAlerts { get; private set; }

    public int GuardBlocks { get; private set; }

    public List<ScoredPair> Links { get; } = [];

    public void CannotLink(int a, int b)
    {
        Add(_cannotLink, a, b);
        Add(_cannotLink, b, a);
    }

    /// <summary>Puts records in one cluster unconditionally (an existing cluster, a forced link).</summary>
    public bool Force(ScoredPair pair)
    {
        var ra = Find(pair.A);
        var rb = Find(pair.B);
        if (ra == rb)
        {
            return false;
        }

        Union(ra, rb);
        Links.Add(pair);
        return true;
    }

    /// <summary>Applies a pair if the guards allow it; returns whether the clusters were joined.</summary>
    public bool TryLink(ScoredPair pair)
    {
        var ra = Find(pair.A);
        var rb = Find(pair.B);
        if (ra == rb)
        {
            return false;
        }

        var ma = Members(ra);
        var mb = Members(rb);
        if (Split(ma, rb) || Conflict(ma, mb))
        {
            GuardBlocks++;
            return false;
        }

        if (ma.Count + mb.Count > _options.MaxClusterSize)
        {
            CapAlerts++;
            return false;
        }

        Union(ra, rb);
        Links.Add(pair);
        return true;
    }

    public int Find(int i)
    {
        while (_parent[i] != i)
        {
            _parent[i] = _parent[_parent[i]];
            i = _parent[i];
        }

        return i;
    }

    /// <summary>The cluster label of every record: the smallest record index in its cluster.</summary>
    public int[] Labels()
    {
        var labels = new int[_parent.Length];
        var smallest = new Dictionary<int, int>();
        for (var i = 0; i < labels.Length; i++)
        {
            var r = Find(i);
            if (!smallest.ContainsKey(r))
            {
                smallest[r] = i;
            }

            labels[i] = smallest[r];
        }

        return labels;
    }

    private bool Split(List<int> a, int rootB)
    {
        if (_cannotLink.Count == 0)
        {
            return false;
        }

        foreach (var x in a)
        {
            if (_cannotLink.TryGetValue(x, out var others))
            {
                foreach (var y in others)
                {
                    if (Find(y) == rootB)
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    private bool Conflict(List<int> a, List<int> b)
    {
        foreach (var x in a)
        {
            var rx = _records[x];
            foreach (var y in b)
            {
                var ry = _records[y];
                if (rx.VerifiedEmail is not null && ry.VerifiedEmail is not null
                    && !string.Equals(rx.VerifiedEmail, ry.VerifiedEmail, StringComparison.Ordinal))
                {
                    return true;
                }

                // Two records whose strong identifiers differ may still be one person with a typo; they
                // conflict only when, compared directly, they would not be linked on their own.
                foreach (var field in _options.StrongFields)
                {
                    if (PairComparer.CompareField(field, rx[field], ry[field]) == 0)
                    {
                        if (_model.Probability(PairComparer.Compare(rx, ry), rx, ry) < _options.MatchThreshold)
                        {
                            return true;
                        }

                        break;
                    }
                }
            }
        }

        return false;
    }

    private List<int> Members(int root) => _members.TryGetValue(root, out var list) ? list : [root];

    private void Union(int ra, int rb)
    {
        var ma = Members(ra);
        var mb = Members(rb);
        if (ma.Count < mb.Count)
        {
            (ra, rb, ma, mb) = (rb, ra, mb, ma);
        }

        _parent[rb] = ra;
        ma.AddRange(mb);
        _members[ra] = ma;
        _members.Remove(rb);
    }

    private static void Add(Dictionary<int, List<int>> map, int a, int b)
    {
        if (!map.TryGetValue(a, out var list))
        {
            map[a] = list = [];
        }

        list.Add(b);
    }
}
