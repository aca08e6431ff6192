using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Crm.Synthetic;

/// <summary>
/// Writes a whole synthetic company — order feeds, web access logs, emails — plus the truth
/// about it, deterministically from <see cref="GeneratorOptions.Seed"/>. See
/// <see cref="OutputLayout"/> for what lands where.
/// </summary>
/// <remarks>
/// Two phases keep memory bounded whatever the number of customers. Phase 1 walks people one at a
/// time (only one person's state is alive), writes their truth and spools their events to
/// week-bucketed binary files. Phase 2 reads one week at a time, sorts it by time and renders the
/// files, rebuilding each person from the seed when needed.
/// </remarks>
public sealed class SyntheticCompanyGenerator
{
    private readonly GeneratorOptions _o;

    /// <summary>Creates a generator; call <see cref="Run"/> to write the files.</summary>
    /// <exception cref="ArgumentException">The options are invalid (the message lists every problem).</exception>
    public SyntheticCompanyGenerator(GeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid generator options: " + string.Join("; ", errors), nameof(options));
        }

        _o = options;
    }

    /// <summary>
    /// Generates everything into <see cref="GeneratorOptions.Out"/>. <paramref name="progress"/>
    /// receives a fraction done (0..1) and a short status now and then.
    /// </summary>
    /// <returns>What was written.</returns>
    public GeneratorSummary Run(Action<double, string>? progress = null, CancellationToken cancellationToken = default)
    {
        if (!_o.Progress)
        {
            progress = null;
        }

        var watch = Stopwatch.StartNew();
        var root = Path.GetFullPath(_o.Out);
        foreach (var sub in new[] { "orders", "weblogs", "email", "campaigns", "truth" })
        {
            var dir = Path.Combine(root, sub);
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        Directory.CreateDirectory(root);
        var startUtc = new DateTime(_o.Start, TimeOnly.MinValue, DateTimeKind.Utc);
        var weeks = (_o.Days + 6) / 7;
        var factory = new PersonFactory(_o);
        using var truth = new TruthWriter(root);
        using var spool = new EventSpool(Path.Combine(root, ".spool"), startUtc, weeks);

        // Phase 1: people, one at a time.
        var life = new Lifecycle(_o, factory, spool, truth);
        for (var i = 0; i < _o.Customers; i++)
        {
            if ((i & 0x3FF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Invoke(0.4 * i / _o.Customers, $"people {i:N0}/{_o.Customers:N0}");
            }

            life.Simulate(i);
        }

        spool.Seal();

        // Phase 2: week by week, in time order.
        using var orders = new OrderRenderer(_o, root, truth);
        using var web = new WebRenderer(_o, root, truth);
        using var mail = new MailRenderer(_o, root, truth);
        var info = new OrderInfo();
        Person? cached = null;
        for (var w = 0; w < weeks; w++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Invoke(0.4 + 0.6 * w / weeks, $"week {w + 1}/{weeks}: {orders.Orders:N0} orders, {web.Lines:N0} log lines, {mail.Messages:N0} emails");
            var weekStart = _o.Start.AddDays(7 * w);
            orders.StartWeek(w, weekStart);
            var events = spool.ReadWeek(w);
            var next = 0;
            for (var d = 7 * w; d < Math.Min(_o.Days, 7 * w + 7); d++)
            {
                var dayEnd = startUtc.AddDays(d + 1).Ticks;
                web.StartDay(d, startUtc.AddDays(d));
                for (; next < events.Length && events[next].Ticks < dayEnd; next++)
                {
                    ref readonly var e = ref events[next];
                    if (cached is null || cached.Index != e.Person || (cached.Duplicate is null) == ((e.Flags & SpoolEvent.FlagDuplicate) != 0))
                    {
                        cached = factory.Create(e.Person);
                        if ((e.Flags & SpoolEvent.FlagDuplicate) != 0)
                        {
                            factory.AddDuplicate(cached);
                        }
                    }

                    var id = (e.Flags & SpoolEvent.FlagDuplicate) != 0 ? cached.Duplicate! : cached.Main;
                    switch (e.Kind)
                    {
                        case EventKind.Order:
                            orders.Render(e, cached, id, info);
                            if ((e.Flags & SpoolEvent.FlagOnline) != 0)
                            {
                                web.Checkout(e, cached, info);
                            }

                            break;
                        case EventKind.Session:
                            web.Session(e, cached, id);
                            break;
                        case EventKind.Email:
                            mail.Render(e, cached, id);
                            break;
                    }
                }

                web.EndDay();
            }
        }

        orders.CloseWeek();
        var extras = AddDeliveryFaults(root, orders, truth);
        web.Finish();
        mail.Finish();

        var summary = new GeneratorSummary
        {
            Root = root,
            Persons = truth.Persons,
            Orders = orders.Orders,
            OrderCsvRows = orders.CsvRows,
            OrderJsonLines = orders.JsonLines,
            WebLogLines = web.Lines,
            Emails = mail.Messages,
            Duplicates = truth.Duplicates,
            Faults = truth.FaultCounts.Values.Sum(),
            Bytes = orders.Bytes + web.Bytes + mail.Bytes + extras,
            Elapsed = watch.Elapsed,
        };
        WriteManifest(root, summary, life, truth);
        OutputLayout.WriteReadme(root, _o.CommandLine());
        progress?.Invoke(1, $"done: {summary.Persons:N0} people, {summary.Orders:N0} orders, {summary.WebLogLines:N0} log lines, {summary.Emails:N0} emails in {watch.Elapsed.TotalSeconds:F1} s");
        return summary;
    }

    /// <summary>A CSV file delivered twice (same bytes, another name) and an empty file.</summary>
    private long AddDeliveryFaults(string root, OrderRenderer orders, TruthWriter truth)
    {
        var rng = Prng.For(_o.Seed, 13, 0);
        var csvFiles = orders.Files.Where(f => f.Contains(".csv", StringComparison.Ordinal)).ToList();
        long bytes = 0;
        if (csvFiles.Count > 0)
        {
            var original = csvFiles[rng.Next(csvFiles.Count)];
            var copy = original.Replace(".csv", ".resend.csv", StringComparison.Ordinal);
            File.Copy(Path.Combine(root, original), Path.Combine(root, copy), overwrite: true);
            truth.Fault("duplicate_file", copy, 0, "same bytes as " + original);
            bytes += new FileInfo(Path.Combine(root, copy)).Length;
        }

        var empty = "orders/orders-" + _o.Start.AddDays(_o.Days).ToString("yyyyMMdd", CultureInfo.InvariantCulture) + ".empty.csv";
        File.WriteAllBytes(Path.Combine(root, empty), []);
        truth.Fault("empty_file", empty, 0, "an export that failed after creating its file");
        return bytes;
    }

    private void WriteManifest(string root, GeneratorSummary summary, Lifecycle life, TruthWriter truth)
    {
        var rates = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, value) in _o.Rates())
        {
            rates[name] = value;
        }

        var manifest = new
        {
            generator = "crm generate",
            command = _o.CommandLine(),
            arguments = new
            {
                customers = _o.Customers,
                start = _o.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                days = _o.Days,
                seed = _o.Seed,
            },
            rates,
            purchase_process = new
            {
                model = "BG/NBD with gamma-gamma spend",
                r = _o.PurchaseShape,
                alpha_days = _o.PurchaseScale,
                a = _o.DropoutA,
                b = _o.DropoutB,
                spend_p = _o.SpendP,
                spend_q = _o.SpendQ,
                spend_gamma = _o.SpendGamma,
                spend_base_currency = "EUR",
                fx_per_eur = Cultures.Latin.Concat(Cultures.NonLatinCultures).GroupBy(c => c.Currency).ToDictionary(g => g.Key, g => g.First().FxPerUnit),
            },
            behaviour = new
            {
                visits_per_purchase = _o.VisitsPerPurchase,
                baseline_visits_per_year = _o.BaselineVisitsPerYear,
                churn_signal_days = _o.ChurnSignalDays,
                questions_per_year = _o.QuestionsPerYear,
                baseline_complaints_per_year = _o.BaselineComplaintsPerYear,
                campaign_every_days = _o.CampaignEveryDays,
            },
            counts = new
            {
                persons = summary.Persons,
                dropouts = life.Dropouts,
                repeat_buyers = life.RepeatBuyers,
                duplicates = summary.Duplicates,
                orders = summary.Orders,
                order_csv_rows = summary.OrderCsvRows,
                order_json_lines = summary.OrderJsonLines,
                web_sessions = life.Sessions,
                web_log_lines = summary.WebLogLines,
                emails = summary.Emails,
                truth_records = truth.Records,
                faults = new SortedDictionary<string, long>(truth.FaultCounts.ToDictionary(k => k.Key, k => k.Value), StringComparer.Ordinal),
            },
        };
        var json = JsonSerializer.Serialize(manifest, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = null });
        File.WriteAllText(Path.Combine(root, "truth", "manifest.json"), json.ReplaceLineEndings("\n") + "\n");
    }
}

/// <summary>Counts of what one generator run wrote.</summary>
public sealed class GeneratorSummary
{
    /// <summary>The output folder (absolute).</summary>
    public required string Root { get; init; }

    /// <summary>People generated.</summary>
    public required long Persons { get; init; }

    /// <summary>Orders written (both feeds).</summary>
    public required long Orders { get; init; }

    /// <summary>Data rows in the CSV feed (one per line item), headers excluded.</summary>
    public required long OrderCsvRows { get; init; }

    /// <summary>Lines in the JSON-lines feed (one per order).</summary>
    public required long OrderJsonLines { get; init; }

    /// <summary>Web log lines written (headers of W3C files excluded).</summary>
    public required long WebLogLines { get; init; }

    /// <summary>Email messages written.</summary>
    public required long Emails { get; init; }

    /// <summary>People with a duplicate customer record.</summary>
    public required long Duplicates { get; init; }

    /// <summary>Injected faults.</summary>
    public required long Faults { get; init; }

    /// <summary>Uncompressed bytes of data files written.</summary>
    public required long Bytes { get; init; }

    /// <summary>Wall-clock time of the run.</summary>
    public required TimeSpan Elapsed { get; init; }
}
