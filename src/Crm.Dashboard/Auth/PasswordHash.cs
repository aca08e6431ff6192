using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Crm.Dashboard.Auth;

/// <summary>
/// Password hashes for dashboard users: PBKDF2-SHA256 with a random salt, stored as
/// <c>pbkdf2-sha256$iterations$salt$hash</c> (base64). Configuration holds only hashes.
/// </summary>
public static class PasswordHash
{
    private const int DefaultIterations = 210_000;

    /// <summary>Hashes <paramref name="password"/> with a new salt.</summary>
    public static string Create(string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, DefaultIterations, HashAlgorithmName.SHA256, 32);
        return $"pbkdf2-sha256${DefaultIterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>Checks <paramref name="password"/> against a stored hash in constant time. A malformed hash never verifies.</summary>
    public static bool Verify(string password, string? stored)
    {
        if (string.IsNullOrEmpty(password) || string.IsNullOrEmpty(stored))
        {
            return false;
        }

        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != "pbkdf2-sha256"
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations < 10_000)
        {
            return false;
        }

        try
        {
            var salt = Convert.FromBase64String(parts[2]);
            var expected = Convert.FromBase64String(parts[3]);
            var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
            return CryptographicOperations.FixedTimeEquals(actual, expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
