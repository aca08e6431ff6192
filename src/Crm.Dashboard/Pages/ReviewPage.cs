using System.Globalization;
using System.Text.Json;
using Crm.Dashboard.Charts;

namespace Crm.Dashboard.Pages;

/// <summary>
/// Review: the identity pairs scored inside the uncertain band (<c>Crm:Identity:Review</c>), kept apart until an admin
/// decides. Each item shows the two source records side by side, the comparison level of every field, the match-weight
/// waterfall and the customers a merge would join. Admins merge, keep apart or skip (<see cref="ReviewCommands"/>);
/// viewers see the same page without the buttons.
/// </summary>
internal sealed class ReviewPage : CrmPage
{
    private const int PageSize = 20;

    private static readonly string[] RecordFields = ["name", "email", "phone", "address", "postcode", "country", "date_of_birth", "source", "id"];

    public ReviewPage()
        : base("Review")
    {
    }

    protected override void Render()
    {
        if (!Exists("ops.identity_review"))
        {
            WriteLiteral("<p><em>The warehouse has no review queue yet; run <code>./crm migrate</code>.</em></p>");
            return;
        }

        using (var counts = Warehouse.CreateCommand(
            "select count(*) filter (where status = 'pending'), count(*) filter (where status = 'merged'), count(*) filter (where status = 'kept_apart') from ops.identity_review"))
        using (var reader = counts.ExecuteReader())
        {
            reader.Read();
            WriteLiteral($"<p id=\"crm-review-counts\">Pairs the matcher is unsure of (match probability inside the review band) are kept apart until someone decides. <strong>{reader.GetInt64(0)}</strong> pending; {reader.GetInt64(1)} merged and {reader.GetInt64(2)} kept apart so far. A decision binds every later identity run (as a manual link or split) and teaches the next model fit.</p>");
        }

        using var command = Warehouse.CreateCommand(
            $"""
            select r.review_id, r.probability, r.match_weight, r.fields::text, r.left_record::text, r.right_record::text, r.skipped_at,
                   r.left_customer_id, lc.customer_name, (select count(*) from core.customer_identity i where i.customer_id = r.left_customer_id),
                   r.right_customer_id, rc.customer_name, (select count(*) from core.customer_identity i where i.customer_id = r.right_customer_id)
              from ops.identity_review r
              left join core.customer lc on lc.customer_id = r.left_customer_id
              left join core.customer rc on rc.customer_id = r.right_customer_id
             where r.status = 'pending'
             order by r.skipped_at nulls first, r.probability desc, r.review_id
             limit {PageSize}
            """);
        using var items = command.ExecuteReader();
        var shown = 0;
        while (items.Read())
        {
            shown++;
            Item(items);
        }

        if (shown == 0)
        {
            WriteLiteral("<p id=\"crm-review-empty\"><em>Nothing to review: every pair is either clearly the same person or clearly not.</em></p>");
        }

        using (var any = Warehouse.CreateCommand("select exists (select 1 from ops.identity_review where status <> 'pending')"))
        {
            if (!(bool)any.ExecuteScalar()!)
            {
                return;
            }
        }

        WriteLiteral("<h3>Latest decisions</h3>");
        Table(
            """
            select review_id as item, left_source || '/' || left_id as record_a, right_source || '/' || right_id as record_b,
                   replace(status, '_', ' ') as decision, decided_by, decided_at
              from ops.identity_review where status <> 'pending' order by decided_at desc limit 20
            """, id: "crm-review-decided", stacked: true);
    }

    private void Item(Npgsql.NpgsqlDataReader r)
    {
        var id = r.GetInt64(0);
        var c = CultureInfo.InvariantCulture;
        using var left = JsonDocument.Parse(r.GetString(4));
        using var right = JsonDocument.Parse(r.GetString(5));
        using var fields = JsonDocument.Parse(r.GetString(3));
        WriteLiteral($"<section class=\"crm-review-item\" id=\"review-{id}\"><h3>Pair {id}: probability {r.GetDouble(1).ToString("0.0000", c)}, match weight {r.GetDouble(2).ToString("+0.00;-0.00", c)}{(r.IsDBNull(6) ? "" : " <small>(skipped before)</small>")}</h3>");

        WriteLiteral("<table class=\"table table-condensed crm-review-records\"><thead><tr><th></th><th>record A</th><th>record B</th></tr></thead><tbody>");
        foreach (var name in RecordFields)
        {
            var (a, b) = (Text(left.RootElement, name), Text(right.RootElement, name));
            if (a.Length > 0 || b.Length > 0)
            {
                WriteLiteral($"<tr><th>{Encode(name.Replace('_', ' '))}</th><td class=\"crm-value\">{Encode(a)}</td><td class=\"crm-value\">{Encode(b)}</td></tr>");
            }
        }

        WriteLiteral("</tbody></table>");

        WriteLiteral("<table class=\"table table-condensed crm-review-levels crm-stacked\"><thead><tr><th>field</th><th>comparison</th><th>weight</th><th>A (cleaned)</th><th>B (cleaned)</th></tr></thead><tbody>");
        var bars = new List<WaterfallSvg.Bar>();
        var sum = 0.0;
        foreach (var f in fields.RootElement.EnumerateArray())
        {
            var field = f.GetProperty("field").GetString() ?? "?";
            var weight = f.GetProperty("weight").GetDouble();
            var agreement = f.GetProperty("agreement").GetString() ?? "";
            var a = Text(f, "left");
            var b = Text(f, "right");
            WriteLiteral($"<tr><td data-label=\"field\">{Encode(field)}</td><td data-label=\"comparison\">{Encode(agreement)}</td><td data-label=\"weight\">{Encode(weight.ToString("+0.00;-0.00", c))}</td><td class=\"crm-value\" data-label=\"A (cleaned)\">{Encode(a)}</td><td class=\"crm-value\" data-label=\"B (cleaned)\">{Encode(b)}</td></tr>");
            bars.Add(new WaterfallSvg.Bar(field, weight, $"{agreement}: {(a.Length == 0 ? "—" : a)} | {(b.Length == 0 ? "—" : b)}"));
            sum += weight;
        }

        WriteLiteral("</tbody></table>");

        // The stored match weight is the prior plus every field's weight, so the prior is what remains.
        WriteLiteral("<div class=\"crm-review-waterfall\">" + WaterfallSvg.Render("crm-review-waterfall-" + id, r.GetDouble(2) - sum, bars) + "</div>");

        WriteLiteral($"<p class=\"crm-review-cluster\">Merging joins {Customer(r, 7)} (record A) with {Customer(r, 10)} (record B).</p>");
        if (!IsReadOnly)
        {
            WriteLiteral("<p class=\"crm-review-actions\">");
            Button(id, "merge", "btn-success", "Merge", "Merge these two records into one customer?");
            Button(id, "keep-apart", "btn-warning", "Keep apart", "Keep these two records as different customers?");
            Button(id, "skip", "btn-default", "Skip", null);
            WriteLiteral("</p>");
        }

        WriteLiteral("</section>");
    }

    private string Customer(Npgsql.NpgsqlDataReader r, int column)
    {
        if (r.IsDBNull(column))
        {
            return "a new customer";
        }

        var records = r.GetInt64(column + 2);
        return $"customer <a href=\"{Url.To("/identity")}?q={r.GetInt64(column)}\">{r.GetInt64(column)}</a> ({Encode(r.IsDBNull(column + 1) ? "no name" : r.GetString(column + 1))}, {records} source record{(records == 1 ? "" : "s")})";
    }

    private void Button(long id, string choice, string style, string label, string? confirm) =>
        WriteLiteral($"<button class=\"btn btn-sm {style} crm-review-{choice}\" id=\"review-{id}-{choice}\" data-ajax=\"{Encode(Url.To($"/review/{id}/{choice}"))}\"{(confirm is null ? "" : $" data-confirm=\"{Encode(confirm)}\"")} data-loading-text=\"Saving…\">{Encode(label)}</button> ");

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
}
