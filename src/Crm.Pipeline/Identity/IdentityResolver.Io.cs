using System.Globalization;
using System.Text;
using System.Text.Json;
using Crm.Pipeline.Cleaning;
using Crm.Pipeline.Warehouse;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Pipeline.Identity;

/// <content>Warehouse reads and writes of an identity run.</content>
public sealed partial class IdentityResolver
{
    private static async Task Execute(NpgsqlConnection c, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, c, tx);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection c, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, c, tx);
        return (T)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    private static async Task<(DateTimeOffset? Watermark, long LastDecision)> ReadStateAsync(NpgsqlConnection c, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("select watermark, last_decision_id from identity.state", c, tx);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false)
            ? (reader.GetFieldValue<DateTimeOffset>(0), reader.GetInt64(1))
            : (null, 0);
    }

    private static async Task<FellegiSunterModel?> ReadModelAsync(NpgsqlConnection c, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("select model::text from identity.model order by model_id desc limit 1", c, tx);
        return await command.ExecuteScalarAsync(ct).ConfigureAwait(false) is string json
            ? JsonSerializer.Deserialize<FellegiSunterModel>(json, Json)
            : null;
    }

    private static async Task<List<Decision>> ReadDecisionsAsync(NpgsqlConnection c, NpgsqlTransaction tx, CancellationToken ct)
    {
        var list = new List<Decision>();
        await using var command = new NpgsqlCommand(
            "select decision_id, decision = 'link', left_source, left_id, right_source, right_id from identity.manual_decision order by decision_id", c, tx);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            list.Add(new Decision(reader.GetInt64(0), reader.GetBoolean(1), reader.GetString(2) + "\u001f" + reader.GetString(3), reader.GetString(4) + "\u001f" + reader.GetString(5)));
        }

        return list;
    }

    private static async Task<List<SourceRow>> LoadAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var rows = new List<SourceRow>();
        await using var command = new NpgsqlCommand(SqlResource.Load("identity_load.sql"), connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var column = new LoadColumns(reader);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var row = new SourceRow
            {
                Source = reader.GetString(column.Source), SourceCustomerId = reader.GetString(column.SourceCustomerId),
                Email = Text(reader, column.Email), Name = Text(reader, column.CustomerName), Phone = Text(reader, column.Phone),
                Address = Text(reader, column.Address), Postcode = Text(reader, column.Postcode), Country = Text(reader, column.Country),
                DateOfBirth = Text(reader, column.DateOfBirth),
                FirstSeen = reader.GetFieldValue<DateTimeOffset>(column.FirstSeen), LastSeen = reader.GetFieldValue<DateTimeOffset>(column.LastSeen),
                UpdatedAt = reader.GetFieldValue<DateTimeOffset>(column.UpdatedAt),
                CustomerId = reader.IsDBNull(column.CustomerId) ? null : reader.GetInt64(column.CustomerId),
            };

            // Match keys cleaned by an earlier run, still current for this version of the source record.
            if (reader.GetBoolean(column.CleanCurrent))
            {
                row.Clean = new MatchRecord(row.Key)
                {
                    [MatchField.Given] = Text(reader, column.Given), [MatchField.Family] = Text(reader, column.Family),
                    [MatchField.Email] = Text(reader, column.CleanEmail), [MatchField.Phone] = Text(reader, column.CleanPhone),
                    [MatchField.DateOfBirth] = Text(reader, column.CleanDateOfBirth), [MatchField.StreetNumber] = Text(reader, column.StreetNumber),
                    [MatchField.Street] = Text(reader, column.Street), [MatchField.Locality] = Text(reader, column.Locality),
                    [MatchField.Postcode] = Text(reader, column.CleanPostcode), [MatchField.Region] = Text(reader, column.Region),
                    [MatchField.Country] = Text(reader, column.CleanCountry),
                    VerifiedEmail = Text(reader, column.VerifiedEmail),
                };
            }

            rows.Add(row);
        }

        return rows;
    }

    private static string? Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>The positions of identity_load.sql's columns, looked up by name once per reader.</summary>
    private sealed class LoadColumns(NpgsqlDataReader reader)
    {
        public int Source { get; } = reader.GetOrdinal("source");

        public int SourceCustomerId { get; } = reader.GetOrdinal("source_customer_id");

        public int Email { get; } = reader.GetOrdinal("email");

        public int CustomerName { get; } = reader.GetOrdinal("customer_name");

        public int Phone { get; } = reader.GetOrdinal("phone");

        public int Address { get; } = reader.GetOrdinal("address");

        public int Postcode { get; } = reader.GetOrdinal("postcode");

        public int Country { get; } = reader.GetOrdinal("country");

        public int DateOfBirth { get; } = reader.GetOrdinal("date_of_birth");

        public int FirstSeen { get; } = reader.GetOrdinal("first_seen");

        public int LastSeen { get; } = reader.GetOrdinal("last_seen");

        public int UpdatedAt { get; } = reader.GetOrdinal("updated_at");

        public int CleanCurrent { get; } = reader.GetOrdinal("clean_current");

        public int Given { get; } = reader.GetOrdinal("given");

        public int Family { get; } = reader.GetOrdinal("family");

        public int CleanEmail { get; } = reader.GetOrdinal("clean_email");

        public int VerifiedEmail { get; } = reader.GetOrdinal("verified_email");

        public int CleanPhone { get; } = reader.GetOrdinal("clean_phone");

        public int CleanDateOfBirth { get; } = reader.GetOrdinal("clean_dob");

        public int StreetNumber { get; } = reader.GetOrdinal("street_number");

        public int Street { get; } = reader.GetOrdinal("street");

        public int Locality { get; } = reader.GetOrdinal("locality");

        public int CleanPostcode { get; } = reader.GetOrdinal("clean_postcode");

        public int Region { get; } = reader.GetOrdinal("region");

        public int CleanCountry { get; } = reader.GetOrdinal("clean_country");

        public int CustomerId { get; } = reader.GetOrdinal("customer_id");
    }

    private static async Task<long[]> AllocateIdsAsync(NpgsqlConnection c, NpgsqlTransaction tx, int count, CancellationToken ct)
    {
        var ids = new long[count];
        if (count == 0)
        {
            return ids;
        }

        await using var command = new NpgsqlCommand(
            "select nextval(pg_get_serial_sequence('core.customer', 'customer_id')) from generate_series(1, @n) order by 1", c, tx);
        command.Parameters.AddWithValue("n", count);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var i = 0;
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            ids[i++] = reader.GetInt64(0);
        }

        return ids;
    }

    private static async Task CopyCleanAsync(
        NpgsqlConnection c, List<SourceRow> rows, MatchRecord[] records, List<int> cleaned, List<(int Row, string Reason)> quarantine, CancellationToken ct)
    {
        await using (var w = await c.BeginBinaryImportAsync(
            "copy id_clean (source, source_customer_id, given, family, email, verified_email, phone, date_of_birth, street_number, street, locality, postcode, region, country, source_updated_at) from stdin (format binary)", ct).ConfigureAwait(false))
        {
            foreach (var i in cleaned)
            {
                var r = records[i];
                await w.StartRowAsync(ct).ConfigureAwait(false);
                await w.WriteAsync(rows[i].Source, ct).ConfigureAwait(false);
                await w.WriteAsync(rows[i].SourceCustomerId, ct).ConfigureAwait(false);
                foreach (var v in new[] { r[MatchField.Given], r[MatchField.Family], r[MatchField.Email], r.VerifiedEmail, r[MatchField.Phone], r[MatchField.DateOfBirth], r[MatchField.StreetNumber], r[MatchField.Street], r[MatchField.Locality], r[MatchField.Postcode], r[MatchField.Region], r[MatchField.Country] })
                {
                    await WriteText(w, v, ct).ConfigureAwait(false);
                }

                await w.WriteAsync(rows[i].UpdatedAt, NpgsqlDbType.TimestampTz, ct).ConfigureAwait(false);
            }

            await w.CompleteAsync(ct).ConfigureAwait(false);
        }

        await using (var w = await c.BeginBinaryImportAsync("copy id_cleaned_key (source, source_customer_id) from stdin (format binary)", ct).ConfigureAwait(false))
        {
            foreach (var i in cleaned)
            {
                await w.WriteRowAsync(ct, rows[i].Source, rows[i].SourceCustomerId).ConfigureAwait(false);
            }

            await w.CompleteAsync(ct).ConfigureAwait(false);
        }

        await using (var w = await c.BeginBinaryImportAsync("copy id_quarantine (unit_path, reason, raw_text) from stdin (format binary)", ct).ConfigureAwait(false))
        {
            foreach (var (i, reason) in quarantine)
            {
                var row = rows[i];
                var raw = $"email={row.Email}|name={row.Name}|phone={row.Phone}|address={row.Address}|postcode={row.Postcode}|country={row.Country}|date_of_birth={row.DateOfBirth}";
                await w.WriteRowAsync(ct, row.Source + "/" + row.SourceCustomerId, "identity cleaning: " + reason, raw).ConfigureAwait(false);
            }

            await w.CompleteAsync(ct).ConfigureAwait(false);
        }
    }

    private static async Task CopyGoldenAsync(
        NpgsqlConnection c, List<SourceRow> rows, MatchRecord[] records, long[] ids, HashSet<long> affected, IdentityOptions options, CancellationToken ct)
    {
        var members = new SortedDictionary<long, List<SourceValues>>();
        for (var i = 0; i < rows.Count; i++)
        {
            if (!affected.Contains(ids[i]))
            {
                continue;
            }

            var row = rows[i];
            var postcode = AddressNormalizer.NormalizePostcode(row.Postcode, records[i][MatchField.Country] ?? options.Cleaning.DefaultCountry).Value;
            var values = new SourceValues(
                row.Source,
                NameNormalizer.Normalize(row.Name)?.Display,
                EmailNormalizer.Normalize(row.Email).Value,
                records[i][MatchField.Phone],
                string.IsNullOrWhiteSpace(row.Address) ? null : string.Join(' ', row.Address.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)),
                postcode,
                records[i][MatchField.Country],
                records[i][MatchField.DateOfBirth],
                row.FirstSeen,
                row.LastSeen);
            if (!members.TryGetValue(ids[i], out var list))
            {
                members[ids[i]] = list = [];
            }

            list.Add(values);
        }

        await using (var w = await c.BeginBinaryImportAsync(
            "copy id_golden (customer_id, email, customer_name, phone, address, postcode, country, date_of_birth, first_seen, last_seen, source_count) from stdin (format binary)", ct).ConfigureAwait(false))
        {
            foreach (var (id, list) in members)
            {
                var g = Survivorship.Choose(list, options.SourcePriority);
                await w.StartRowAsync(ct).ConfigureAwait(false);
                await w.WriteAsync(id, ct).ConfigureAwait(false);
                await WriteText(w, g.Email, ct).ConfigureAwait(false);
                await WriteText(w, g.Name, ct).ConfigureAwait(false);
                await WriteText(w, g.Phone, ct).ConfigureAwait(false);
                await WriteText(w, g.Address, ct).ConfigureAwait(false);
                await WriteText(w, g.Postcode, ct).ConfigureAwait(false);
                await WriteText(w, g.Country, ct).ConfigureAwait(false);
                if (g.DateOfBirth is null)
                {
                    await w.WriteNullAsync(ct).ConfigureAwait(false);
                }
                else
                {
                    await w.WriteAsync(DateOnly.ParseExact(g.DateOfBirth, "yyyy-MM-dd", CultureInfo.InvariantCulture), NpgsqlDbType.Date, ct).ConfigureAwait(false);
                }

                await w.WriteAsync(g.FirstSeen, NpgsqlDbType.TimestampTz, ct).ConfigureAwait(false);
                await w.WriteAsync(g.LastSeen, NpgsqlDbType.TimestampTz, ct).ConfigureAwait(false);
                await w.WriteAsync(g.SourceCount, ct).ConfigureAwait(false);
            }

            await w.CompleteAsync(ct).ConfigureAwait(false);
        }

        await using var a = await c.BeginBinaryImportAsync("copy id_assign (source, source_customer_id, customer_id) from stdin (format binary)", ct).ConfigureAwait(false);
        for (var i = 0; i < rows.Count; i++)
        {
            if (affected.Contains(ids[i]))
            {
                await a.WriteRowAsync(ct, rows[i].Source, rows[i].SourceCustomerId, ids[i]).ConfigureAwait(false);
            }
        }

        await a.CompleteAsync(ct).ConfigureAwait(false);
    }

    private static async Task CopyEvidenceAsync(
        NpgsqlConnection c, List<SourceRow> rows, MatchRecord[] records, long[] ids, Resolution resolution, Guid runId, CancellationToken ct)
    {
        await using var w = await c.BeginBinaryImportAsync(
            "copy id_evidence (customer_id, left_source, left_id, right_source, right_id, rule, probability, match_weight, fields, run_id) from stdin (format binary)", ct).ConfigureAwait(false);
        foreach (var link in resolution.Links)
        {
            // Store each pair in key order so the same link always has the same primary key.
            var (a, b) = string.CompareOrdinal(rows[link.A].Key, rows[link.B].Key) <= 0 ? (link.A, link.B) : (link.B, link.A);
            await w.StartRowAsync(ct).ConfigureAwait(false);
            await w.WriteAsync(ids[a], ct).ConfigureAwait(false);
            await w.WriteAsync(rows[a].Source, ct).ConfigureAwait(false);
            await w.WriteAsync(rows[a].SourceCustomerId, ct).ConfigureAwait(false);
            await w.WriteAsync(rows[b].Source, ct).ConfigureAwait(false);
            await w.WriteAsync(rows[b].SourceCustomerId, ct).ConfigureAwait(false);
            await w.WriteAsync(link.Rule.ToString().ToLowerInvariant(), ct).ConfigureAwait(false);
            await w.WriteAsync(Math.Round(link.Probability, 12), ct).ConfigureAwait(false);
            await w.WriteAsync(Math.Round(resolution.Model.MatchWeight(link.Pattern, records[a], records[b]), 9), ct).ConfigureAwait(false);
            await w.WriteAsync(Evidence.FieldsJson(resolution.Model, link.Pattern, records[a], records[b]), NpgsqlDbType.Jsonb, ct).ConfigureAwait(false);
            await w.WriteAsync(runId, ct).ConfigureAwait(false);
        }

        await w.CompleteAsync(ct).ConfigureAwait(false);
    }

    private static async Task CopyReviewAsync(
        NpgsqlConnection connection, List<SourceRow> rows, MatchRecord[] records, long[] ids, Resolution resolution, CancellationToken cancellationToken)
    {
        await using var writer = await connection.BeginBinaryImportAsync(
            "copy id_review (left_source, left_id, right_source, right_id, probability, match_weight, fields, left_record, right_record, left_customer_id, right_customer_id) from stdin (format binary)",
            cancellationToken).ConfigureAwait(false);
        foreach (var pair in resolution.Review)
        {
            // Key order, as merge evidence: the same pair is always the same item.
            var (left, right) = string.CompareOrdinal(rows[pair.A].Key, rows[pair.B].Key) <= 0 ? (pair.A, pair.B) : (pair.B, pair.A);
            await writer.StartRowAsync(cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(rows[left].Source, cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(rows[left].SourceCustomerId, cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(rows[right].Source, cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(rows[right].SourceCustomerId, cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(Math.Round(pair.Probability, 12), cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(Math.Round(resolution.Model.MatchWeight(pair.Pattern, records[left], records[right]), 9), cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(Evidence.FieldsJson(resolution.Model, pair.Pattern, records[left], records[right]), NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(RecordJson(rows[left]), NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(RecordJson(rows[right]), NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(ids[left], cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(ids[right], cancellationToken).ConfigureAwait(false);
        }

        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    // The source record as loaded, for the review page's side-by-side view.
    private static string RecordJson(SourceRow row) => JsonSerializer.Serialize(new Dictionary<string, string?>
    {
        ["source"] = row.Source, ["id"] = row.SourceCustomerId, ["name"] = row.Name, ["email"] = row.Email, ["phone"] = row.Phone,
        ["address"] = row.Address, ["postcode"] = row.Postcode, ["country"] = row.Country, ["date_of_birth"] = row.DateOfBirth,
    });

    private static async Task CopyHistoryAsync(NpgsqlConnection c, IdAssignment assignment, Func<long, long> real, CancellationToken ct)
    {
        await using (var w = await c.BeginBinaryImportAsync("copy id_history (event, customer_id, related_customer_id) from stdin (format binary)", ct).ConfigureAwait(false))
        {
            foreach (var e in assignment.Events)
            {
                await w.StartRowAsync(ct).ConfigureAwait(false);
                await w.WriteAsync(e.Event, ct).ConfigureAwait(false);
                await w.WriteAsync(real(e.CustomerId), ct).ConfigureAwait(false);
                if (e.RelatedCustomerId is { } r)
                {
                    await w.WriteAsync(real(r), ct).ConfigureAwait(false);
                }
                else
                {
                    await w.WriteNullAsync(ct).ConfigureAwait(false);
                }
            }

            await w.CompleteAsync(ct).ConfigureAwait(false);
        }

        await using var m = await c.BeginBinaryImportAsync("copy id_merged (customer_id, merged_into) from stdin (format binary)", ct).ConfigureAwait(false);
        foreach (var (old, into) in assignment.MergedInto)
        {
            await m.WriteRowAsync(ct, old, real(into)).ConfigureAwait(false);
        }

        await m.CompleteAsync(ct).ConfigureAwait(false);
    }

    private static async Task SaveModelAsync(NpgsqlConnection c, NpgsqlTransaction tx, Guid runId, int records, Resolution resolution, CancellationToken ct)
    {
        var json = JsonSerializer.Serialize(resolution.Model, Json);

        // A rerun that fits the same model does not add a row.
        await using var command = new NpgsqlCommand(
            """
            insert into identity.model (run_id, record_count, candidate_pairs, model)
            select @run, @records, @pairs, @model::jsonb
             where (select model from identity.model order by model_id desc limit 1) is distinct from @model::jsonb
            """, c, tx);
        command.Parameters.AddWithValue("run", runId);
        command.Parameters.AddWithValue("records", (long)records);
        command.Parameters.AddWithValue("pairs", resolution.CandidatePairs);
        command.Parameters.AddWithValue("model", json);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static Task WriteText(NpgsqlBinaryImporter w, string? value, CancellationToken ct) =>
        value is null ? w.WriteNullAsync(ct) : w.WriteAsync(value, NpgsqlDbType.Text, ct);
}
