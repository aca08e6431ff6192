using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Crm.Pipeline.Cleaning;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Warehouse;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Pipeline.Identity;

/// <summary>
/// Runs identity resolution against the warehouse: loads core.source_customer, cleans what changed,
/// resolves (in full, or the delta against existing clusters), gives stable ids, and writes golden
/// records, identities, evidence, history and quarantine rows in one transaction. Safe to rerun:
/// unchanged input writes nothing.
/// </summary>
public sealed partial class IdentityResolver
{
    private static readonly JsonSerializerOptions Json = new() { IncludeFields = false };
    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Creates the resolver.</summary>
    public IdentityResolver(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>Runs once.</summary>
    /// <param name="options">Settings.</param>
    /// <param name="runId">The pipeline run, recorded on evidence and history.</param>
    /// <param name="progress">Progress sink.</param>
    /// <param name="cancellationToken">Cancels the run; nothing is written unless it completes.</param>
    public async Task<IdentityRunResult> RunAsync(IdentityOptions options, Guid runId, IProgressSink progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        var clock = Stopwatch.StartNew();
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await Execute(connection, tx, "select pg_advisory_xact_lock(hashtext('crm.identity'))", cancellationToken).ConfigureAwait(false);

        progress.Report(0.02, "loading source records");
        var (watermark, lastDecision) = await ReadStateAsync(connection, tx, cancellationToken).ConfigureAwait(false);
        var model = await ReadModelAsync(connection, tx, cancellationToken).ConfigureAwait(false);
        var decisions = await ReadDecisionsAsync(connection, tx, cancellationToken).ConfigureAwait(false);
        var rows = await LoadAsync(connection, tx, cancellationToken).ConfigureAwait(false);
        var maxDecision = decisions.Count == 0 ? 0 : decisions.Max(d => d.Id);

        var isDelta = new bool[rows.Count];
        var deltaCount = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            isDelta[i] = rows[i].CustomerId is null || watermark is null || rows[i].UpdatedAt > watermark;
            deltaCount += isDelta[i] ? 1 : 0;
        }

        var full = options.Mode switch
        {
            "full" => true,
            "delta" => model is null,
            _ => model is null || maxDecision > lastDecision || deltaCount > options.FullRunAboveDeltaShare * rows.Count,
        };

        progress.Report(0.1, $"cleaning ({(full ? "full run" : $"delta of {deltaCount}")})");
        var records = new MatchRecord[rows.Count];
        var cleaned = new List<int>();
        var quarantine = new List<(int Row, string Reason)>();
        var verified = new HashSet<string>(options.VerifiedEmailSources, StringComparer.Ordinal);
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            if (!full && !isDelta[i] && row.Clean is not null)
            {
                records[i] = row.Clean;
                continue;
            }

            var errors = new List<string>();
            records[i] = PersonCleaner.Clean(
                new RawPerson
                {
                    Key = row.Key, FullName = row.Name, Email = row.Email, EmailVerified = verified.Contains(row.Source), Phone = row.Phone,
                    DateOfBirth = row.DateOfBirth, Street = row.Address, Postcode = row.Postcode, Country = row.Country,
                },
                options.Cleaning,
                errors).ToMatchRecord();
            cleaned.Add(i);
            quarantine.AddRange(errors.Select(e => (i, e)));
        }

        progress.Report(0.3, "matching");
        var index = new Dictionary<string, int>(rows.Count, StringComparer.Ordinal);
        for (var i = 0; i < rows.Count; i++)
        {
            index[rows[i].Key] = i;
        }

        var manual = Manual(decisions, index);
        Resolution resolution;
        if (full)
        {
            resolution = Matcher.Resolve(records, options.Matching, manual, review: options.Review);
        }
        else
        {
            var labels = new int[rows.Count];
            var dense = new Dictionary<long, int>();
            for (var i = 0; i < rows.Count; i++)
            {
                labels[i] = rows[i].CustomerId is { } c ? (dense.TryGetValue(c, out var d) ? d : dense[c] = dense.Count) : -1;
            }

            resolution = Matcher.ResolveDelta(records, isDelta, labels, model!, options.Matching, manual, options.Review);
        }

        progress.Report(0.6, "assigning stable ids");
        var oldIds = rows.Select(r => r.CustomerId).ToArray();
        var next = -1L;
        var assignment = StableIds.Assign(oldIds, resolution.Labels, rows.Select(r => r.FirstSeen.UtcTicks).ToArray(), () => next--);
        var newIds = await AllocateIdsAsync(connection, tx, (int)(-1 - next), cancellationToken).ConfigureAwait(false);
        long Real(long id) => id < 0 ? newIds[(int)(-id - 1)] : id;
        var ids = assignment.CustomerIds.Select(Real).ToArray();

        // Clusters written: every one in a full run; in a delta, those holding a delta record or changing id.
        var affected = new HashSet<long>();
        for (var i = 0; i < rows.Count; i++)
        {
            if (full || isDelta[i] || rows[i].CustomerId != ids[i])
            {
                affected.Add(ids[i]);
            }
        }

        progress.Report(0.7, "writing golden records");
        await Execute(connection, tx, SqlResource.Load("identity_temp.sql"), cancellationToken).ConfigureAwait(false);
        await CopyCleanAsync(connection, rows, records, cleaned, quarantine, cancellationToken).ConfigureAwait(false);
        await CopyGoldenAsync(connection, rows, records, ids, affected, options, cancellationToken).ConfigureAwait(false);
        await CopyEvidenceAsync(connection, rows, records, ids, resolution, runId, cancellationToken).ConfigureAwait(false);
        await CopyHistoryAsync(connection, assignment, Real, cancellationToken).ConfigureAwait(false);
        await CopyReviewAsync(connection, rows, records, ids, resolution, cancellationToken).ConfigureAwait(false);
        if (full)
        {
            await Execute(connection, tx, SqlResource.Load("identity_prune_evidence.sql"), cancellationToken).ConfigureAwait(false);
        }

        await using (var apply = new NpgsqlCommand(SqlResource.Load("identity_apply.sql"), connection, tx))
        {
            apply.Parameters.AddWithValue("run_id", runId);
            await apply.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var review = new NpgsqlCommand(SqlResource.Load("identity_review.sql"), connection, tx))
        {
            review.Parameters.AddWithValue("full", full);
            review.Parameters.AddWithValue("run_id", runId);
            await review.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (await ScalarAsync<bool>(connection, tx, "select to_regclass('core.web_visitor_link') is not null", cancellationToken).ConfigureAwait(false))
        {
            await Execute(connection, tx, SqlResource.Load("identity_web.sql"), cancellationToken).ConfigureAwait(false);
        }

        if (full)
        {
            await SaveModelAsync(connection, tx, runId, rows.Count, resolution, cancellationToken).ConfigureAwait(false);
        }

        var newWatermark = rows.Count == 0 ? watermark ?? DateTimeOffset.UnixEpoch : rows.Max(r => r.UpdatedAt);
        await using (var state = new NpgsqlCommand(
            """
            insert into identity.state (singleton, watermark, last_decision_id, last_run_id, last_mode) values (true, @w, @d, @r, @m)
            on conflict (singleton) do update set watermark = excluded.watermark, last_decision_id = excluded.last_decision_id,
                last_run_id = excluded.last_run_id, last_mode = excluded.last_mode, updated_at = now()
            """, connection, tx))
        {
            state.Parameters.AddWithValue("w", newWatermark);
            state.Parameters.AddWithValue("d", maxDecision);
            state.Parameters.AddWithValue("r", runId);
            state.Parameters.AddWithValue("m", full ? "full" : "delta");
            await state.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var customers = await ScalarAsync<long>(connection, tx, "select count(*) from core.customer where status = 'active'", cancellationToken).ConfigureAwait(false);
        var pendingReview = await ScalarAsync<long>(connection, tx, "select count(*) from ops.identity_review where status = 'pending'", cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        await TableStatistics.RefreshAsync(_dataSource, affected.Count, ["core.customer", "core.customer_identity"], cancellationToken).ConfigureAwait(false);
        progress.Report(1, "done");
        return new IdentityRunResult(
            full ? "full" : "delta", rows.Count, cleaned.Count, customers, quarantine.Count,
            assignment.Events.Count(e => e.Event == "merged"), assignment.Events.Count(e => e.Event == "split"),
            assignment.Events.Count(e => e.Event == "created"), resolution.CapAlerts, resolution.GuardBlocks, clock.Elapsed)
        {
            PendingReview = pendingReview,
        };
    }

    private static ManualPairs Manual(List<Decision> decisions, Dictionary<string, int> index)
    {
        // The latest decision on an unordered pair wins.
        var latest = new Dictionary<(int, int), bool>();
        foreach (var d in decisions.OrderBy(d => d.Id))
        {
            if (index.TryGetValue(d.Left, out var a) && index.TryGetValue(d.Right, out var b) && a != b)
            {
                latest[(Math.Min(a, b), Math.Max(a, b))] = d.Link;
            }
        }

        return new ManualPairs(
            latest.Where(p => p.Value).Select(p => p.Key).ToList(),
            latest.Where(p => !p.Value).Select(p => p.Key).ToList());
    }

    private sealed record Decision(long Id, bool Link, string Left, string Right);
}
