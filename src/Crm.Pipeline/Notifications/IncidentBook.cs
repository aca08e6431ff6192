using System.Globalization;
using Crm.Pipeline.Display;
using Crm.Pipeline.Warehouse;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Crm.Pipeline.Notifications;

/// <summary>
/// Looks at the warehouse and keeps <c>ops.incident</c> true to it: a condition that holds opens its incident (with one
/// pending message per channel), one that no longer holds resolves it (with a resolve message to each channel the
/// opening went to). Nodes take turns under one transaction-scoped advisory lock and judge from the warehouse's
/// clock, so two nodes never open the same incident twice, whatever their clocks say.
/// </summary>
public sealed class IncidentBook
{
    private static readonly string FailedRunsSql = SqlResource.Load("notify_failed_runs.sql");
    private static readonly string OpenAlertsSql = SqlResource.Load("notify_open_alerts.sql");
    private static readonly string LastLoadSql = SqlResource.Load("notify_last_load.sql");
    private static readonly string NightlySinceSql = SqlResource.Load("notify_nightly_since.sql");
    private static readonly string ArmSql = SqlResource.Load("notify_arm.sql");
    private static readonly string OpenSql = SqlResource.Load("incident_open.sql");
    private static readonly string ResolveSql = SqlResource.Load("incident_resolve.sql");

    private readonly NpgsqlDataSource _dataSource;
    private readonly NotificationsOptions _options;
    private readonly TimeZoneInfo _display;
    private readonly INightlyCalendar? _calendar;

    /// <summary>Created by the host; <paramref name="calendar"/> (the nightly's schedules) lets the deadlines skip excluded nights.</summary>
    public IncidentBook(NpgsqlDataSource dataSource, IOptions<NotificationsOptions> options, IOptions<DisplayOptions> display, INightlyCalendar? calendar = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(display);
        _dataSource = dataSource;
        _options = options.Value;
        _display = display.Value.Zone;
        _calendar = calendar;
    }

    /// <summary>The channels every new incident is told on: <c>email:ADDRESS</c> and <c>webhook:NAME</c>.</summary>
    public IReadOnlyList<string> Channels =>
        [.. _options.Emails.Select(e => "email:" + e.Trim().ToLowerInvariant()), .. _options.Webhooks.Select(w => "webhook:" + w.EffectiveName)];

    /// <summary>Judges every condition now and opens or resolves incidents to match; returns the conditions that hold.</summary>
    public async Task<IReadOnlyList<Incident>> CheckAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var lockCommand = new NpgsqlCommand("select pg_advisory_xact_lock(hashtext('crm.notifications'))", connection, transaction))
        {
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        DateTime now;
        await using (var clock = new NpgsqlCommand("select now()", connection, transaction))
        {
            now = ((DateTime)(await clock.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!).ToUniversalTime();
        }

        var active = new List<Incident>();
        await FailedRunsAsync(connection, transaction, active, cancellationToken).ConfigureAwait(false);
        await AlertsAsync(connection, transaction, active, cancellationToken).ConfigureAwait(false);
        await SilencesAsync(connection, transaction, now, active, cancellationToken).ConfigureAwait(false);
        await DeadlineAsync(connection, transaction, now, _options.Nightly.StartBy, finished: false, active, cancellationToken).ConfigureAwait(false);
        await DeadlineAsync(connection, transaction, now, _options.Nightly.FinishBy, finished: true, active, cancellationToken).ConfigureAwait(false);

        var channels = Channels.ToArray();
        foreach (var incident in active)
        {
            await using var open = new NpgsqlCommand(OpenSql, connection, transaction);
            open.Parameters.AddWithValue("key", incident.Key);
            open.Parameters.AddWithValue("title", incident.Title);
            open.Parameters.AddWithValue("detail", incident.Detail);
            open.Parameters.AddWithValue("channels", channels);
            await open.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var resolve = new NpgsqlCommand(ResolveSql, connection, transaction))
        {
            resolve.Parameters.AddWithValue("active", active.Select(i => i.Key).ToArray());
            await resolve.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return active;
    }

    private string Time(DateTime utc) => DisplayTime.Format(utc, _display);

    private async Task FailedRunsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<Incident> active, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(FailedRunsSql, connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var status = reader.GetString(reader.GetOrdinal("status"));
            if (status == "succeeded")
            {
                continue;
            }

            var kind = reader.GetString(reader.GetOrdinal("kind"));
            var runId = reader.GetGuid(reader.GetOrdinal("run_id"));
            var ended = reader.GetDateTime(reader.GetOrdinal("ended_at"));
            var error = reader.IsDBNull(reader.GetOrdinal("error")) ? "no error recorded" : reader.GetString(reader.GetOrdinal("error"));
            active.Add(new Incident(
                "run-failed:" + kind,
                $"The {kind} run {(status == "abandoned" ? "was abandoned" : "failed")}: {OneLine(error, 160)}",
                $"Run {runId} ended {status} at {Time(ended)} after its retries.\nError: {error}\nThe next {kind} run that succeeds resolves this."));
        }
    }

    private async Task AlertsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<Incident> active, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(OpenAlertsSql, connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var id = reader.GetInt64(reader.GetOrdinal("id"));
            var source = reader.GetString(reader.GetOrdinal("source"));
            var severity = reader.GetString(reader.GetOrdinal("severity"));
            var message = reader.GetString(reader.GetOrdinal("message"));
            var raised = reader.GetDateTime(reader.GetOrdinal("raised_at"));
            active.Add(new Incident(
                "alert:" + id.ToString(CultureInfo.InvariantCulture),
                $"Alert ({severity}) from stage {source}: {OneLine(message, 160)}",
                $"Raised at {Time(raised)} by stage {source}:\n{message}\nThe next {source} run that succeeds without raising it again resolves this."));
        }
    }

    private async Task SilencesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DateTime now, List<Incident> active, CancellationToken cancellationToken)
    {
        foreach (var silence in _options.Silences)
        {
            if (!Durations.TryParse(silence.After, out var after))
            {
                continue;
            }

            var armed = await ArmAsync(connection, transaction, "silence:" + silence.Source, cancellationToken).ConfigureAwait(false);
            DateTime? last;
            await using (var command = new NpgsqlCommand(LastLoadSql, connection, transaction))
            {
                command.Parameters.AddWithValue("source", silence.Source);
                last = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is DateTime d ? d.ToUniversalTime() : null;
            }

            var since = last ?? armed;
            if (now - since > after)
            {
                active.Add(new Incident(
                    "silence:" + silence.Source,
                    $"No new {silence.Source} rows for {Durations.Format(after)}",
                    last is null
                        ? $"No {silence.Source} row has been loaded since this watch began at {Time(armed)} (Crm:Notifications:Silences allows {Durations.Format(after)})."
                        : $"The last {silence.Source} row was loaded at {Time(last.Value)} (Crm:Notifications:Silences allows {Durations.Format(after)}). The next load resolves this."));
            }
        }
    }

    private async Task DeadlineAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, DateTime now, string? timeOfDay, bool finished, List<Incident> active, CancellationToken cancellationToken)
    {
        if (!Durations.TryParseTimeOfDay(timeOfDay, out var at))
        {
            return;
        }

        var zone = DisplayTime.Zone(_options.Nightly.TimeZone);
        var deadline = LatestDeadline(now, at, zone);
        var armed = await ArmAsync(connection, transaction, finished ? "nightly-finish" : "nightly-start", cancellationToken).ConfigureAwait(false);
        if (deadline <= armed)
        {
            // Armed after the deadline passed: a fresh warehouse did not miss the night before it existed.
            return;
        }

        var since = deadline.AddDays(-1);
        if (_calendar is not null && !_calendar.IsDueBetween(since, deadline))
        {
            // The schedules' calendar excludes this night (a holiday, a blackout day): no run was due, none missed.
            return;
        }

        await using var command = new NpgsqlCommand(NightlySinceSql, connection, transaction);
        command.Parameters.AddWithValue("finished", finished);
        command.Parameters.AddWithValue("since", since);
        if ((long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! > 0)
        {
            return;
        }

        var verb = finished ? "finished" : "started";
        active.Add(new Incident(
            finished ? "nightly-not-finished" : "nightly-not-started",
            $"The nightly run has not {verb} by {timeOfDay} ({zone.Id})",
            $"No nightly run {verb} between {Time(since)} and the deadline {Time(deadline)} (Crm:Notifications:Nightly:{(finished ? "FinishBy" : "StartBy")}). "
            + $"Is every service node down, or the schedule paused? A nightly run that {verb} resolves this."));
    }

    /// <summary>The latest moment at or before <paramref name="nowUtc"/> at which the clock in <paramref name="zone"/> showed <paramref name="at"/> (UTC).</summary>
    internal static DateTime LatestDeadline(DateTime nowUtc, TimeOnly at, TimeZoneInfo zone)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(nowUtc, zone));
        for (var back = 0; ; back++)
        {
            var local = today.AddDays(-back).ToDateTime(at);
            if (zone.IsInvalidTime(local))
            {
                // The clock skipped that time (spring forward): the deadline is the hour after.
                local = local.AddHours(1);
            }

            var utc = TimeZoneInfo.ConvertTimeToUtc(local, zone);
            if (utc <= nowUtc)
            {
                return utc;
            }
        }
    }

    private static async Task<DateTime> ArmAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string name, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(ArmSql, connection, transaction);
        command.Parameters.AddWithValue("name", name);
        return ((DateTime)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!).ToUniversalTime();
    }

    private static string OneLine(string text, int max)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= max ? line : line[..(max - 1)] + "…";
    }
}
