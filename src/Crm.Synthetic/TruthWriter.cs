using System.Globalization;

namespace Crm.Synthetic;

/// <summary>Streams the truth files (<c>truth/*.csv</c>) as people and faults are generated.</summary>
internal sealed class TruthWriter : IDisposable
{
    private readonly StreamWriter _persons;
    private readonly StreamWriter _records;
    private readonly StreamWriter _faults;
    private readonly StreamWriter _duplicates;
    private readonly Dictionary<string, long> _faultCounts = new(StringComparer.Ordinal);

    public TruthWriter(string root)
    {
        var dir = Path.Combine(root, "truth");
        _persons = CsvText.Create(Path.Combine(dir, "persons.csv"));
        _records = CsvText.Create(Path.Combine(dir, "records.csv"));
        _faults = CsvText.Create(Path.Combine(dir, "faults.csv"));
        _duplicates = CsvText.Create(Path.Combine(dir, "duplicates.csv"));
        CsvText.Row(_persons, "person_id", "country", "language", "given_name", "family_name", "email", "customer_id", "household_of",
            "acquisition_date", "dropout_date", "alive_at_end", "purchase_rate_per_day", "dropout_prob", "spend_p", "spend_nu",
            "expected_order_value", "currency", "orders", "web_sessions", "emails_sent", "complained");
        CsvText.Row(_records, "source", "record_id", "person_id", "detail");
        CsvText.Row(_faults, "kind", "file", "line", "detail");
        CsvText.Row(_duplicates, "person_id", "customer_id", "duplicate_customer_id", "kinds", "feed", "duplicate_feed", "first_duplicate_order",
            "name", "duplicate_name", "email", "duplicate_email", "phone", "duplicate_phone", "address", "duplicate_address",
            "postcode", "duplicate_postcode");
    }

    public long Persons { get; private set; }

    public long Records { get; private set; }

    public long Duplicates { get; private set; }

    public IReadOnlyDictionary<string, long> FaultCounts => _faultCounts;

    public void Person(string?[] fields)
    {
        CsvText.Row(_persons, fields);
        Persons++;
    }

    public void Record(string source, string recordId, string personId, string? detail = null)
    {
        CsvText.Row(_records, source, recordId, personId, detail);
        Records++;
    }

    /// <summary>One injected fault; <paramref name="line"/> is 1-based as an ingester counts (header = line 1), 0 when the fault is the whole file.</summary>
    public void Fault(string kind, string file, long line, string detail)
    {
        CsvText.Row(_faults, kind, file, line.ToString(CultureInfo.InvariantCulture), detail);
        _faultCounts[kind] = _faultCounts.GetValueOrDefault(kind) + 1;
    }

    public void Duplicate(Person p, DateTime firstDuplicateOrder)
    {
        var m = p.Main;
        var d = p.Duplicate!;
        CsvText.Row(_duplicates, p.PersonId, m.CustomerId, d.CustomerId, p.DuplicateKinds, Feeds.Name(m.Feed), Feeds.Name(d.Feed),
            firstDuplicateOrder.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            m.Name, d.Name, m.Email, d.Email, m.Phone, d.Phone, m.Street + ", " + m.City, d.Street + ", " + d.City, m.Postcode, d.Postcode);
        Duplicates++;
    }

    public void Dispose()
    {
        _persons.Dispose();
        _records.Dispose();
        _faults.Dispose();
        _duplicates.Dispose();
    }
}

/// <summary>Names of the two synthetic order feeds.</summary>
internal static class Feeds
{
    public const string Csv = "synthetic-csv";
    public const string Jsonl = "synthetic-jsonl";

    public static string Name(string format) => format == "jsonl" ? Jsonl : Csv;
}
