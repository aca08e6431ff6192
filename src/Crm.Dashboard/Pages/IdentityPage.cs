using System.Text.Json;
using Crm.Dashboard.Charts;
using Hangfire.Dashboard;

namespace Crm.Dashboard.Pages;

/// <summary>Identity: merge statistics, and a customer search showing its source records and the evidence of each merge.</summary>
internal sealed class IdentityPage : CrmPage
{
    public IdentityPage()
        : base("Identity")
    {
    }

    protected override void Render()
    {
        WriteLiteral("<h3>Golden customers</h3>");
        Table(
            """
            select (select count(*) from core.customer where status = 'active') as active_customers,
                   (select count(*) from core.customer where status <> 'active') as merged_or_split,
                   (select count(*) from core.customer_identity) as source_identities,
                   (select count(distinct source) from core.customer_identity) as sources
            """, id: "crm-identity-stats");
        if (Exists("identity.customer_history"))
        {
            Table("select event, count(*) as times, max(recorded_at) as latest from identity.customer_history group by event order by times desc", id: "crm-identity-history");
        }

        var q = Context.GetHttpContext().Request.Query["q"].FirstOrDefault()?.Trim();
        WriteLiteral($"<form method=\"get\" class=\"form-inline\"><input class=\"form-control\" name=\"q\" placeholder=\"email, name or customer id\" value=\"{Encode(q)}\"> <button class=\"btn btn-default\" type=\"submit\">Search</button></form>");
        if (string.IsNullOrEmpty(q))
        {
            return;
        }

        WriteLiteral("<h3>Matching customers and their source records</h3><div class=\"crm-identity-wide\">");
        const string match =
            """
            select c.customer_id from core.customer c
            where c.customer_id::text = @q or c.email ilike @contains or c.customer_name ilike @contains
            union
            select i.customer_id from core.customer_identity i where i.source_customer_id ilike @contains
            limit 20
            """;
        Table(
            $"""
            select c.customer_id, c.status, c.customer_name, c.email, c.phone, i.source, i.source_customer_id, i.linked_at
            from core.customer c join core.customer_identity i using (customer_id)
            where c.customer_id in ({match})
            order by c.customer_id, i.source
            """,
            bind: cmd => Bind(cmd, q), id: "crm-identity-search", cell: Breakable, stacked: true);
        WriteLiteral("</div>");
        if (Exists("identity.merge_evidence_view"))
        {
            WriteLiteral("<h3>Evidence of each merge</h3><div class=\"crm-identity-wide\">");
            Table(
                $"""
                select customer_id, left_source || '/' || left_id as record_a, right_source || '/' || right_id as record_b,
                       rule, round(probability::numeric, 4) as probability, round(match_weight::numeric, 2) as weight,
                       agreeing_fields::text as fields_that_agreed, recorded_at
                from identity.merge_evidence_view where customer_id in ({match})
                order by customer_id, recorded_at
                """,
                bind: cmd => Bind(cmd, q), id: "crm-identity-evidence", cell: Breakable, stacked: true);
            WriteLiteral("</div>");
            Waterfalls(match, q);
        }
    }

    // One match-weight waterfall per merge of the customers found: which fields pushed the weight up or down.
    private void Waterfalls(string match, string q)
    {
        using var command = Warehouse.CreateCommand(
            $"""
            select customer_id, left_source || '/' || left_id, right_source || '/' || right_id, rule, match_weight, fields::text
            from identity.merge_evidence_view where customer_id in ({match})
            order by customer_id, recorded_at limit 50
            """);
        Bind(command, q);
        using var reader = command.ExecuteReader();
        var n = 0;
        while (reader.Read())
        {
            var bars = new List<WaterfallSvg.Bar>();
            var sum = 0.0;
            using (var fields = JsonDocument.Parse(reader.GetString(5)))
            {
                foreach (var f in fields.RootElement.EnumerateArray())
                {
                    var weight = f.GetProperty("weight").GetDouble();
                    var detail = $"{f.GetProperty("agreement").GetString()}: {Value(f, "left")} | {Value(f, "right")}";
                    bars.Add(new WaterfallSvg.Bar(f.GetProperty("field").GetString() ?? "?", weight, detail));
                    sum += weight;
                }
            }

            // The stored match weight is the prior plus every field's weight, so the prior is what remains.
            var total = reader.IsDBNull(4) ? sum : reader.GetDouble(4);
            WriteLiteral($"<h4 class=\"crm-identity-merge\">Customer {Encode(reader.GetInt64(0))}: {Encode(reader.GetString(1))} and {Encode(reader.GetString(2))} ({Encode(reader.GetString(3))}, weight {Encode(Math.Round(total, 2))})</h4>");
            WriteLiteral("<div class=\"crm-identity-waterfall\">" + WaterfallSvg.Render("crm-waterfall-" + n++, total - sum, bars) + "</div>");
        }
    }

    // Addresses and source ids are long words: they may break after @ / . _ - (and only there), so the tables fit the
    // window without cutting "phone" or a date in two.
    private static string? Breakable(string column, object? value)
    {
        if (column is not ("email" or "source_customer_id" or "record_a" or "record_b") || value is not string text)
        {
            return null;
        }

        var html = new System.Text.StringBuilder(text.Length + 16);
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is '@' or '/' or '.' or '_' or '-' && i + 1 < text.Length)
            {
                html.Append(Encode(text[start..(i + 1)])).Append("<wbr>");
                start = i + 1;
            }
        }

        return html.Append(Encode(text[start..])).ToString();
    }

    private static string Value(JsonElement field, string name) =>
        field.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "—";

    // The search text is text: % and _ match themselves, not any characters (backslash is ILIKE's escape).
    private static void Bind(Npgsql.NpgsqlCommand command, string q)
    {
        command.Parameters.AddWithValue("q", q);
        command.Parameters.AddWithValue("contains", "%" + EscapeLike(q) + "%");
    }

    /// <summary><paramref name="text"/> with LIKE's wildcards and escape character escaped.</summary>
    internal static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
