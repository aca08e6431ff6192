using System.Globalization;
using System.Net;
using Hangfire.Dashboard;
using Hangfire.Dashboard.Pages;
using Microsoft.Extensions.DependencyInjection;
using Crm.Pipeline.Display;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Crm.Dashboard.Pages;

/// <summary>
/// Base of our server-rendered pages inside the Hangfire dashboard: same layout, same login,
/// no external assets. Subclasses query the warehouse with plain SQL and write HTML.
/// </summary>
internal abstract class CrmPage : RazorPage
{
    private readonly string _title;

    protected CrmPage(string title) => _title = title;

    protected NpgsqlDataSource Warehouse => Context.GetHttpContext().RequestServices.GetRequiredService<NpgsqlDataSource>();

    public sealed override void Execute()
    {
        Layout = new LayoutPage(_title);
        WriteLiteral($"<div class=\"row\"><div class=\"col-md-12\"><h1 class=\"page-header\">{Encode(_title)}</h1>");
        Render();
        WriteLiteral("</div></div>");
        WriteLiteral(NowMarker(DisplayZone));
    }

    /// <summary>
    /// A moment as HTML: the date and the time each on one line (<c>span.crm-time</c> in crm.css), so a narrow column
    /// breaks it before the <c>T</c>, never at a hyphen of the date.
    /// </summary>
    internal static string TimeHtml(string iso)
    {
        var t = iso.IndexOf('T', StringComparison.Ordinal);
        return t < 0
            ? $"<span class=\"crm-time\"><span>{Encode(iso)}</span></span>"
            : $"<span class=\"crm-time\"><span>{Encode(iso[..t])}</span><wbr><span>{Encode(iso[t..])}</span></span>";
    }

    /// <summary>
    /// The moment the page was made, in <paramref name="zone"/>, for crm.js to show in Hangfire's footer in place of its
    /// browser-formatted "Application Time".
    /// </summary>
    internal static string NowMarker(TimeZoneInfo zone) =>
        $"<span id=\"crm-now\" hidden data-time=\"{Encode(DisplayTime.Format(DateTime.UtcNow, zone))}\"></span>";

    protected abstract void Render();

    protected static string Encode(object? value) => WebUtility.HtmlEncode(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "");

    /// <summary>Whether a table or schema owned by a stage exists in this warehouse yet.</summary>
    protected bool Exists(string relation)
    {
        using var command = Warehouse.CreateCommand("select to_regclass(@r) is not null");
        command.Parameters.AddWithValue("r", relation);
        return (bool)command.ExecuteScalar()!;
    }

    /// <summary>
    /// Runs <paramref name="sql"/> and writes the result as a table; cells are HTML-encoded. With
    /// <paramref name="stacked"/>, a table too wide for a phone shows each row as a block of "column: value" lines
    /// below 768 px (<c>table.crm-stacked</c> in crm.css; each cell names its column in <c>data-label</c>).
    /// </summary>
    protected int Table(string sql, Action<NpgsqlCommand>? bind = null, string? id = null, Func<string, object?, string?>? cell = null, bool stacked = false)
    {
        using var command = Warehouse.CreateCommand(sql);
        bind?.Invoke(command);
        using var reader = command.ExecuteReader();
        WriteLiteral($"<table class=\"table table-condensed{(stacked ? " crm-stacked" : "")}\"{(id is null ? "" : $" id=\"{id}\"")}><thead><tr>");
        for (var i = 0; i < reader.FieldCount; i++)
        {
            WriteLiteral($"<th>{Encode(reader.GetName(i).Replace('_', ' '))}</th>");
        }

        WriteLiteral("</tr></thead><tbody>");
        var rows = 0;
        while (reader.Read())
        {
            rows++;
            WriteLiteral("<tr>");
            for (var i = 0; i < reader.FieldCount; i++)
            {
                var value = reader.IsDBNull(i) ? null : reader.GetValue(i);
                var html = cell?.Invoke(reader.GetName(i), value) ?? (value is DateTime { Kind: DateTimeKind.Utc } or DateTimeOffset ? TimeHtml(Format(value)) : Encode(Format(value)));
                WriteLiteral(stacked ? $"<td data-label=\"{Encode(reader.GetName(i).Replace('_', ' '))}\">{html}</td>" : $"<td>{html}</td>");
            }

            WriteLiteral("</tr>");
        }

        if (rows == 0)
        {
            WriteLiteral($"<tr><td colspan=\"{reader.FieldCount}\"><em>nothing yet</em></td></tr>");
        }

        WriteLiteral("</tbody></table>");
        return rows;
    }

    /// <summary>The zone every time on our pages is shown in (<c>Crm:Display:TimeZone</c>, default UTC).</summary>
    protected TimeZoneInfo DisplayZone => Context.GetHttpContext().RequestServices.GetRequiredService<IOptions<DisplayOptions>>().Value.Zone;

    /// <summary>
    /// A cell's text. Moments (<c>timestamptz</c>) in the one format of our pages: ISO 8601 with the zone, in the display
    /// zone; calendar dates (<c>date</c>) as <c>yyyy-MM-dd</c>.
    /// </summary>
    protected string Format(object? value) => value switch
    {
        null => "",
        DateTime { Kind: DateTimeKind.Utc } d => DisplayTime.Format(d, DisplayZone),
        DateTime d when d.TimeOfDay == TimeSpan.Zero => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime d => d.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
        DateTimeOffset d => DisplayTime.Format(d, DisplayZone),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        double d => d.ToString("0.###", CultureInfo.InvariantCulture),
        decimal d => d.ToString("0.##", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
