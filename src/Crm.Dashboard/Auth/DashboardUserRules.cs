using System.Globalization;

namespace Crm.Dashboard.Auth;

/// <summary>
/// The rules for <c>Crm:Dashboard:Users</c>, shared by the dashboard's options validator and <c>crm check</c>
/// (which does not host the dashboard): a unique name, a hash made by <c>crm hash-password</c>, a known role.
/// </summary>
public static class DashboardUserRules
{
    /// <summary>One failure per bad value, each naming <c>Crm:Dashboard:Users:N:…</c> and the value (never a hash).</summary>
    public static IReadOnlyList<string> Validate(IReadOnlyList<(string? Name, string? PasswordHash, string? Role)> users)
    {
        ArgumentNullException.ThrowIfNull(users);
        var failures = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < users.Count; i++)
        {
            var (name, hash, role) = users[i];
            var at = $"Crm:Dashboard:Users:{i}";
            if (string.IsNullOrWhiteSpace(name))
            {
                failures.Add($"{at}:Name is required.");
            }
            else if (!names.Add(name))
            {
                failures.Add($"{at}:Name '{name}' is used by another user.");
            }

            if (!IsWellFormedHash(hash))
            {
                failures.Add($"{at}:PasswordHash is not a hash made by 'crm hash-password' (pbkdf2-sha256$iterations$salt$hash); run it and paste its output.");
            }

            if (role is not ("admin" or "viewer"))
            {
                failures.Add($"{at}:Role '{role}' must be admin or viewer.");
            }
        }

        return failures;
    }

    /// <summary>True when <paramref name="stored"/> has the shape <see cref="PasswordHash.Create"/> writes.</summary>
    public static bool IsWellFormedHash(string? stored)
    {
        var parts = stored?.Split('$');
        if (parts is not { Length: 4 } || parts[0] != "pbkdf2-sha256"
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations < 10_000)
        {
            return false;
        }

        Span<byte> buffer = stackalloc byte[256];
        return parts[2].Length is > 0 and <= 340 && parts[3].Length is > 0 and <= 340
            && Convert.TryFromBase64String(parts[2], buffer, out _) && Convert.TryFromBase64String(parts[3], buffer, out _);
    }
}
