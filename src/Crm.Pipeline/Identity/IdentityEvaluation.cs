using System.Diagnostics;
using System.Text.RegularExpressions;
using Crm.Pipeline.Cleaning;
using Sylvan.Data.Csv;

namespace Crm.Pipeline.Identity;

/// <summary>The result of evaluating the matcher on a labelled file.</summary>
/// <param name="Records">Records read.</param>
/// <param name="Metrics">Pairwise precision, recall and F1.</param>
/// <param name="Clusters">Clusters found.</param>
/// <param name="Elapsed">Time taken to clean and resolve (reading the file excluded).</param>
/// <param name="Resolution">The matcher's full outcome.</param>
/// <param name="ColumnsUsed">Columns mapped to match fields.</param>
public sealed record EvaluationResult(int Records, PairwiseMetrics Metrics, int Clusters, TimeSpan Elapsed, Resolution Resolution, IReadOnlyList<string> ColumnsUsed)
{
    /// <summary>The cleaned records, in file order.</summary>
    public IReadOnlyList<MatchRecord> Cleaned { get; init; } = [];

    /// <summary>The true entity of each record, in file order.</summary>
    public IReadOnlyList<string> Truth { get; init; } = [];
}

/// <summary>
/// Evaluates the matcher on a CSV of person records with a truth column, in memory, with the same
/// cleaning and matching as the identity stage. Columns are recognised by name (Febrl's layout and
/// common CRM names); Febrl ids such as <c>rec-12-dup-0</c> are reduced to the entity number.
/// </summary>
public static partial class IdentityEvaluation
{
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["given_name"] = "given", ["first_name"] = "given", ["firstname"] = "given", ["given"] = "given",
        ["surname"] = "family", ["last_name"] = "family", ["lastname"] = "family", ["family_name"] = "family",
        ["name"] = "name", ["full_name"] = "name", ["customer_name"] = "name",
        ["email"] = "email", ["email_address"] = "email", ["phone"] = "phone", ["phone_number"] = "phone", ["telephone"] = "phone",
        ["date_of_birth"] = "dob", ["dob"] = "dob", ["birth_date"] = "dob",
        ["street_number"] = "number", ["house_number"] = "number",
        ["address_1"] = "street", ["address"] = "street", ["street"] = "street", ["address_line_1"] = "street",
        ["address_2"] = "premise", ["address_line_2"] = "premise",
        ["suburb"] = "locality", ["city"] = "locality", ["town"] = "locality", ["locality"] = "locality",
        ["postcode"] = "postcode", ["zip"] = "postcode", ["postal_code"] = "postcode", ["zipcode"] = "postcode",
        ["state"] = "region", ["region"] = "region", ["county"] = "region", ["country"] = "country",
        ["soc_sec_id"] = "nationalid", ["ssn"] = "nationalid", ["national_id"] = "nationalid",
    };

    /// <summary>Reads <paramref name="path"/>, resolves its records and scores the clusters against the truth column.</summary>
    /// <param name="path">CSV file with a header row.</param>
    /// <param name="truthColumn">Column naming the true entity (default rec_id).</param>
    /// <param name="excludeColumns">Columns to leave out of matching (e.g. soc_sec_id).</param>
    /// <param name="matching">Matcher settings.</param>
    /// <param name="cleaning">Cleaning settings.</param>
    /// <exception cref="InvalidDataException">The truth column is missing.</exception>
    public static EvaluationResult Evaluate(string path, string truthColumn, IReadOnlyCollection<string> excludeColumns, MatchingOptions matching, CleaningOptions cleaning)
    {
        var (people, truth, used) = Read(path, truthColumn, excludeColumns);
        var clock = Stopwatch.StartNew();
        var errors = new List<string>();
        var records = people.Select(p => PersonCleaner.Clean(p, cleaning, errors).ToMatchRecord()).ToList();
        var resolution = Matcher.Resolve(records, matching);
        clock.Stop();
        var metrics = PairwiseMetrics.Compute(truth, resolution.Labels);
        return new EvaluationResult(records.Count, metrics, resolution.Labels.Distinct().Count(), clock.Elapsed, resolution, used)
        {
            Cleaned = records,
            Truth = truth,
        };
    }

    /// <summary>Reads person records and their truth labels from a CSV file.</summary>
    public static (List<RawPerson> People, List<string> Truth, List<string> ColumnsUsed) Read(string path, string truthColumn, IReadOnlyCollection<string> excludeColumns)
    {
        ArgumentNullException.ThrowIfNull(excludeColumns);
        using var reader = CsvDataReader.Create(path, new CsvDataReaderOptions { HasHeaders = true });
        var columns = new Dictionary<string, int>();
        var truthIndex = -1;
        var used = new List<string>();
        var excluded = new HashSet<string>(excludeColumns.Select(c => c.Trim()), StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < reader.FieldCount; i++)
        {
            var name = reader.GetName(i).Trim();
            if (string.Equals(name, truthColumn, StringComparison.OrdinalIgnoreCase))
            {
                truthIndex = i;
            }
            else if (!excluded.Contains(name) && Aliases.TryGetValue(name, out var field) && !columns.ContainsKey(field))
            {
                columns[field] = i;
                used.Add(name);
            }
        }

        if (truthIndex < 0)
        {
            throw new InvalidDataException($"The file has no truth column '{truthColumn}'. Name it with --truth-column.");
        }

        var people = new List<RawPerson>();
        var truth = new List<string>();
        while (reader.Read())
        {
            string? Get(string field) => columns.TryGetValue(field, out var i) && reader.GetString(i).Trim() is { Length: > 0 } v ? v : null;
            var id = reader.GetString(truthIndex).Trim();
            var match = FebrlId().Match(id);
            truth.Add(match.Success ? match.Groups[1].Value : id);
            people.Add(new RawPerson
            {
                // The key is opaque: the truth never reaches the matcher.
                Key = people.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Given = Get("given"),
                Family = Get("family"),
                FullName = Get("name"),
                Email = Get("email"),
                Phone = Get("phone"),
                DateOfBirth = Get("dob"),
                StreetNumber = Get("number"),
                Street = Get("street"),
                Premise = Get("premise"),
                Locality = Get("locality"),
                Postcode = Get("postcode"),
                Region = Get("region"),
                Country = Get("country"),
                NationalId = Get("nationalid"),
            });
        }

        return (people, truth, used);
    }

    [GeneratedRegex("^rec-(\\d+)-")]
    private static partial Regex FebrlId();
}
