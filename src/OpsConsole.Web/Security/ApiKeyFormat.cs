using System.Security.Cryptography;
using System.Text;

namespace OpsConsole.Web.Security;

/// <summary>
/// API keys look like <c>oc_abcd2345_&lt;40 random characters&gt;</c>: a fixed marker (so secret scanners can
/// find leaked keys), an 8-character public prefix used to look the key up, and the secret. Only a SHA-256 of
/// the whole key is stored; with ~238 bits of randomness a slow password hash would add nothing but latency.
/// </summary>
public static class ApiKeyFormat
{
    public const string Marker = "oc_";
    public const int PrefixLength = 8;
    public const int SecretLength = 40;
    private const string Alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    public static (string Key, string Prefix) Generate()
    {
        var prefix = RandomNumberGenerator.GetString("abcdefghijkmnopqrstuvwxyz23456789", PrefixLength);
        var secret = RandomNumberGenerator.GetString(Alphabet, SecretLength);
        return ($"{Marker}{prefix}_{secret}", prefix);
    }

    /// <summary>Splits a presented key; false for anything that is not shaped like one of our keys.</summary>
    public static bool TryGetPrefix(string? key, out string prefix)
    {
        prefix = "";
        if (key is null || key.Length < Marker.Length + PrefixLength + 1 + 16 || key.Length > 200
            || !key.StartsWith(Marker, StringComparison.Ordinal) || key[Marker.Length + PrefixLength] != '_')
        {
            return false;
        }

        prefix = key.Substring(Marker.Length, PrefixLength);
        return true;
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Constant-time comparison of a presented key with a stored hash.</summary>
    public static bool Matches(string key, string storedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(key)), Encoding.ASCII.GetBytes(storedHash));
}
