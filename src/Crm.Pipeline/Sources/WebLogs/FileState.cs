using Npgsql;

namespace Crm.Pipeline.Sources.WebLogs;

/// <summary>A log file identity and how far it has been read (<c>ops.web_log_file</c>).</summary>
internal sealed class FileState
{
    public required string FileKey { get; init; }

    public required string HeadSha256 { get; set; }

    public required int HeadLength { get; set; }

    public long? Device { get; set; }

    public long? Inode { get; set; }

    public long ByteOffset { get; set; }

    public long LineCount { get; set; }

    public string? ParserState { get; set; }

    public string? Format { get; set; }

    /// <summary>
    /// The known file this probe is (or continues): a stored identity whose head bytes are a prefix
    /// of this file's head (a file first seen shorter than <see cref="LogFileProbe.HeadBytes"/> matches
    /// once it has grown). Device + inode alone never match, since a replaced file can reuse an inode.
    /// </summary>
    public static async Task<FileState?> FindAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string site, LogFileProbe probe, CancellationToken cancellationToken)
    {
        var fullHash = probe.HeadHash(probe.Head.Length)!;
        await using var command = new NpgsqlCommand(
            """
            select file_key, head_sha256, head_length, device, inode, byte_offset, line_count, parser_state, format
              from ops.web_log_file
             where site = @site and (head_sha256 = @sha or head_length < @len or (device = @dev and inode = @ino))
             order by head_length desc, byte_offset desc, updated_at desc
            """, connection, transaction);
        command.Parameters.AddWithValue("site", site);
        command.Parameters.AddWithValue("sha", fullHash);
        command.Parameters.AddWithValue("len", probe.Head.Length);
        command.Parameters.AddWithValue("dev", (object?)probe.Device ?? DBNull.Value);
        command.Parameters.AddWithValue("ino", (object?)probe.Inode ?? DBNull.Value);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var headLength = reader.GetInt32(2);
            if (probe.HeadHash(headLength) != reader.GetString(1))
            {
                continue;
            }

            var state = new FileState
            {
                FileKey = reader.GetString(0),
                HeadSha256 = reader.GetString(1),
                HeadLength = headLength,
                Device = reader.IsDBNull(3) ? null : reader.GetInt64(3),
                Inode = reader.IsDBNull(4) ? null : reader.GetInt64(4),
                ByteOffset = reader.GetInt64(5),
                LineCount = reader.GetInt64(6),
                ParserState = reader.IsDBNull(7) ? null : reader.GetString(7),
                Format = reader.GetString(8),
            };

            // The file grew past the head we knew: remember the longer head from now on.
            state.HeadLength = probe.Head.Length;
            state.HeadSha256 = fullHash;
            state.Device = probe.Device;
            state.Inode = probe.Inode;
            return state;
        }

        return null;
    }

    /// <summary>A new identity for a file never seen (or truncated and rewritten): key from site and head, unique.</summary>
    public static async Task<FileState> NewAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string site, LogFileProbe probe, CancellationToken cancellationToken)
    {
        var sha = probe.HeadHash(probe.Head.Length)!;
        var key = site + ":" + sha[..20];
        await using var command = new NpgsqlCommand(
            "select count(*) from ops.web_log_file where file_key = @k or file_key like @p", connection, transaction);
        command.Parameters.AddWithValue("k", key);
        command.Parameters.AddWithValue("p", key + "~%");
        var existing = (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        return new FileState
        {
            FileKey = existing == 0 ? key : key + "~" + (existing + 1),
            HeadSha256 = sha,
            HeadLength = probe.Head.Length,
            Device = probe.Device,
            Inode = probe.Inode,
        };
    }

    /// <summary>Records the file's identity and how far it has been read (parameters from <see cref="AddSaveParameters"/>).</summary>
    public const string SaveSql =
        """
        insert into ops.web_log_file (file_key, site, head_sha256, head_length, device, inode, last_path, byte_offset, line_count, parser_state, format)
        values (@k, @site, @sha, @len, @dev, @ino, @path, @off, @lines, @ps, @fmt)
        on conflict (file_key) do update
           set head_sha256 = excluded.head_sha256, head_length = excluded.head_length, device = excluded.device,
               inode = excluded.inode, last_path = excluded.last_path, byte_offset = excluded.byte_offset,
               line_count = excluded.line_count, parser_state = excluded.parser_state, format = excluded.format,
               updated_at = now()
        """;

    public static void AddSaveParameters(
        NpgsqlParameterCollection parameters, string site, FileState state, string path, long offset, long lines, string? parserState, string format)
    {
        parameters.AddWithValue("k", state.FileKey);
        parameters.AddWithValue("site", site);
        parameters.AddWithValue("sha", state.HeadSha256);
        parameters.AddWithValue("len", state.HeadLength);
        parameters.AddWithValue("dev", (object?)state.Device ?? DBNull.Value);
        parameters.AddWithValue("ino", (object?)state.Inode ?? DBNull.Value);
        parameters.AddWithValue("path", path);
        parameters.AddWithValue("off", offset);
        parameters.AddWithValue("lines", lines);
        parameters.AddWithValue("ps", (object?)parserState ?? DBNull.Value);
        parameters.AddWithValue("fmt", format);
    }

    public static async Task TouchPathAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string fileKey, string path, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "update ops.web_log_file set last_path = @p where file_key = @k and last_path <> @p", connection, transaction);
        command.Parameters.AddWithValue("k", fileKey);
        command.Parameters.AddWithValue("p", path);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
