using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Hubbub.Features.Kit.Webhooks;

/// <summary>
/// Signing as the Standard Webhooks specification (standardwebhooks.com) says: the secret is <c>whsec_</c> followed by
/// the base64 of its key bytes; the signature is <c>v1,</c> followed by the base64 HMAC-SHA256, under that key, of
/// <c>{webhook-id}.{webhook-timestamp}.{body}</c>. Any Standard Webhooks library verifies what Hubbub sends.
/// </summary>
public static class WebhookSignature
{
    /// <summary>The prefix of every secret.</summary>
    public const string SecretPrefix = "whsec_";

    /// <summary>The header with the message id (the event id: the same on every attempt, for deduplication).</summary>
    public const string IdHeader = "webhook-id";

    /// <summary>The header with the attempt's time in Unix seconds.</summary>
    public const string TimestampHeader = "webhook-timestamp";

    /// <summary>The header with the signature (<c>v1,&lt;base64&gt;</c>).</summary>
    public const string SignatureHeader = "webhook-signature";

    private const int MinKeyBytes = 24;
    private const int MaxKeyBytes = 64;

    /// <summary>A new random secret (32 key bytes).</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The key bytes of <paramref name="secret"/>, or null when it is not <c>whsec_</c> + base64 of 24-64 bytes.</summary>
    public static byte[]? KeyOf(string? secret)
    {
        if (secret is null || !secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            return null;
        }
        var encoded = secret[SecretPrefix.Length..];
        var buffer = new byte[(encoded.Length * 3 / 4) + 3];
        return Convert.TryFromBase64String(encoded, buffer, out var length) && length is >= MinKeyBytes and <= MaxKeyBytes ? buffer[..length] : null;
    }

    /// <summary>The <c>webhook-signature</c> value for one attempt.</summary>
    public static string Sign(string secret, string messageId, long timestampSeconds, string body)
    {
        var key = KeyOf(secret) ?? throw new ArgumentException("not a whsec_ secret", nameof(secret));
        var content = Encoding.UTF8.GetBytes($"{messageId}.{timestampSeconds.ToString(CultureInfo.InvariantCulture)}.{body}");
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    }

    /// <summary>
    /// Whether <paramref name="signatureHeader"/> (one or more space-separated <c>v1,…</c> values) holds the signature of
    /// this id, timestamp and body under <paramref name="secret"/>, compared in constant time. Receivers should also
    /// refuse a timestamp far from their clock (replays).
    /// </summary>
    public static bool Verify(string secret, string messageId, long timestampSeconds, string body, string signatureHeader)
    {
        var expected = Encoding.ASCII.GetBytes(Sign(secret, messageId, timestampSeconds, body));
        return signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Any(s => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s), expected));
    }
}
