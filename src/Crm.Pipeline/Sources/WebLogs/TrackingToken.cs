using System.Buffers.Text;
using System.Text;

namespace Crm.Pipeline.Sources.WebLogs;

/// <summary>
/// The email tracking parameter (<c>crm_tid</c>): the address the email was sent to, either as is
/// (URL-encoded) or base64url-encoded, optionally followed by <c>.</c> and a signature. Either way
/// it resolves to the lower-cased address, the key the email source uses for senders.
/// </summary>
public static class TrackingToken
{
    /// <summary>The lower-cased address a token carries, or null when it carries none.</summary>
    public static string? EmailOf(string? token)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            return null;
        }

        var candidate = token.Trim();
        if (!candidate.Contains('@', StringComparison.Ordinal))
        {
            var dot = candidate.IndexOf('.', StringComparison.Ordinal);
            var payload = dot > 0 ? candidate[..dot] : candidate;
            if (payload.Length == 0 || !Base64Url.IsValid(payload))
            {
                return null;
            }

            var bytes = new byte[Base64Url.GetMaxDecodedLength(payload.Length)];
            if (!Base64Url.TryDecodeFromChars(payload, bytes, out var written))
            {
                return null;
            }

            try
            {
                candidate = new UTF8Encoding(false, true).GetString(bytes, 0, written);
            }
            catch (DecoderFallbackException)
            {
                return null;
            }
        }

        var at = candidate.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at != candidate.LastIndexOf('@') || at == candidate.Length - 1 || candidate.Any(char.IsWhiteSpace)
            || !candidate.AsSpan(at + 1).Contains('.'))
        {
            return null;
        }

        return candidate.ToLowerInvariant();
    }

    /// <summary>The base64url token for an address (what an email's links carry).</summary>
    public static string For(string email)
    {
        ArgumentNullException.ThrowIfNull(email);
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(email.Trim().ToLowerInvariant()));
    }
}
