using System.Globalization;

namespace Crm.Pipeline.Reports;

/// <summary>
/// The stretch of local days a report covers, [<see cref="Start"/>, <see cref="End"/>), and the
/// moment it became due. Dates are in the recipient's time zone.
/// </summary>
/// <param name="Cadence">daily | weekly | monthly.</param>
/// <param name="Start">First local day covered.</param>
/// <param name="End">Local day after the last one covered.</param>
/// <param name="DueUtc">When the report was (or will be) due, in UTC.</param>
public sealed record ReportPeriod(string Cadence, DateOnly Start, DateOnly End, DateTimeOffset DueUtc)
{
    /// <summary>The stable key of the period in <c>ops.report_delivery</c>, e.g. <c>weekly:2026-11-16..2026-11-23</c>.</summary>
    public string Key => string.Create(CultureInfo.InvariantCulture, $"{Cadence}:{Start:yyyy-MM-dd}..{End:yyyy-MM-dd}");

    /// <summary>Number of days covered.</summary>
    public int Days => End.DayNumber - Start.DayNumber;

    /// <summary>The period of the same length just before this one (for monthly: the previous calendar month).</summary>
    public (DateOnly Start, DateOnly End) Previous => Cadence == "monthly"
        ? (Start.AddMonths(-1), Start)
        : (Start.AddDays(-Days), Start);

    /// <summary>The same dates one year earlier.</summary>
    public (DateOnly Start, DateOnly End) YearBefore => (Start.AddYears(-1), End.AddYears(-1));
}
