using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace Crm.Pipeline.Privacy;

/// <summary>
/// The suppression list (<c>ops.suppression</c>): salted SHA-256 hashes of the identifiers of
/// forgotten people. Ingesters load it once per unit (empty → nothing to check, no cost) and drop
/// or anonymise what matches. Hashes agree with the SQL function <c>ops.suppression_hash</c>:
/// SHA-256 of <c>salt|kind:value</c>, hex, with email lower-cased and trimmed, phone as digits.
/// </summary>
public sealed partial class Suppression
{
    /// <summary>The quarantine reason of a record dropped because it belongs to a forgotten person.</summary>
    public const string Reason = "suppressed";

    private readonly string _salt;
    private readonly HashSet<string> _hashes;
    private readonly Dictionary<string, bool> _cache = new(StringComparer.Ordinal);

    private Suppression(string salt, HashSet<string> hashes)
    {
        _salt = salt;
        _hashes = hashes;
    }

    /// <summary>Hashes on the list.</summary>
    public int Count => _hashes.Count;

    /// <summary>
    /// Loads the list inside the caller's transaction (after <see cref="LockSharedAsync"/>), or returns
    /// null when it is empty, so callers skip every check.
    /// </summary>
    public static async Task<Suppression?> LoadAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = new NpgsqlCommand(
            "select (select salt from ops.privacy_salt), hash from ops.suppression", connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        string? salt = null;
        var hashes = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            salt = reader.GetString(0);
            hashes.Add(reader.GetString(1));
        }

        return salt is null ? null : new Suppression(salt, hashes);
    }

    /// <summary>Whether any forget has happened (a cheap check before set-based suppression in SQL).</summary>
    public static async Task<bool> AnyAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = new NpgsqlCommand("select exists (select 1 from ops.suppression)", connection, transaction);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>
    /// Ingesters hold this lock shared while they check and load a unit; <c>forget</c> takes it exclusively,
    /// so no unit lands between an erasure and its suppression taking effect. Released at commit.
    /// </summary>
    public static async Task LockSharedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = new NpgsqlCommand("select pg_advisory_xact_lock_shared(hashtextextended('crm:forget', 0))", connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Takes the forget lock exclusively (see <see cref="LockSharedAsync"/>).</summary>
    internal static async Task LockExclusiveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("select pg_advisory_xact_lock(hashtextextended('crm:forget', 0))", connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The hash of one identifier, as <c>ops.suppression_hash(kind, value)</c> computes it.</summary>
    public static string Hash(string salt, string kind, string value)
    {
        ArgumentNullException.ThrowIfNull(salt);
        var bytes = Encoding.UTF8.GetBytes(salt + "|" + kind + ":" + value);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary>Whether an email address is suppressed.</summary>
    public bool IsEmailSuppressed(string? address) =>
        !string.IsNullOrWhiteSpace(address) && Check("email", address.Trim().ToLowerInvariant());

    /// <summary>Whether a source record (<paramref name="source"/> as in <c>core.source_customer</c>, e.g. <c>orders:shop</c>) is suppressed.</summary>
    public bool IsCustomerSuppressed(string source, string? id) =>
        !string.IsNullOrEmpty(id) && Check("customer", source + "/" + id);

    /// <summary>
    /// Whether a raw text (a quarantined line) mentions a suppressed address, or a token that is a
    /// suppressed record id of <paramref name="customerSource"/>. Quarantine is the rare path, so a regex is fine here.
    /// </summary>
    public bool Mentions(string text, string? customerSource)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (Match m in EmailToken().Matches(text))
        {
            if (IsEmailSuppressed(m.Value))
            {
                return true;
            }
        }

        if (customerSource is not null)
        {
            foreach (Match m in IdToken().Matches(text))
            {
                if (IsCustomerSuppressed(customerSource, m.Value))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private bool Check(string kind, string value)
    {
        var key = kind + ":" + value;
        if (!_cache.TryGetValue(key, out var hit))
        {
            hit = _hashes.Contains(Hash(_salt, kind, value));
            if (_cache.Count < 100_000)
            {
                _cache[key] = hit;
            }
        }

        return hit;
    }

    [GeneratedRegex(@"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")]
    private static partial Regex EmailToken();

    [GeneratedRegex(@"[A-Za-z0-9_\-]{4,}")]
    private static partial Regex IdToken();
}
