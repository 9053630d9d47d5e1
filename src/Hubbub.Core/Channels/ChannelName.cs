using System.Buffers;

namespace Hubbub.Core.Channels;

/// <summary>
/// A validated channel name <c>namespace:name</c>. Namespaces are lower-case letters, digits, <c>_</c> and
/// <c>-</c>; the name part may also hold upper-case letters and <c>. : @ = , |</c> (identity providers' user ids
/// such as <c>auth0|123</c>). Anything else is refused before it reaches a rule.
/// </summary>
public readonly record struct ChannelName(string Value, string Namespace, string Name)
{
    private static readonly SearchValues<char> NamespaceChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789_-");
    private static readonly SearchValues<char> NameChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:@=,|");

    /// <summary>Parses and validates; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(string? value, int maxLength, out ChannelName channel, out string error)
    {
        channel = default;
        if (string.IsNullOrEmpty(value))
        {
            error = "channel is required";
            return false;
        }
        if (value.Length > maxLength)
        {
            error = $"channel is longer than {maxLength} characters";
            return false;
        }
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == value.Length - 1)
        {
            error = "channel must look like 'namespace:name'";
            return false;
        }
        var ns = value.AsSpan(0, colon);
        var name = value.AsSpan(colon + 1);
        if (ns.ContainsAnyExcept(NamespaceChars))
        {
            error = "channel namespace may hold only a-z, 0-9, '_' and '-'";
            return false;
        }
        if (name.ContainsAnyExcept(NameChars))
        {
            error = "channel name may hold only letters, digits and _ - . : @ = , |";
            return false;
        }
        channel = new ChannelName(value, ns.ToString(), name.ToString());
        error = string.Empty;
        return true;
    }

    /// <summary>Whether <paramref name="name"/> may be the name part of a channel (a user id or room id, say).</summary>
    public static bool IsValidName(ReadOnlySpan<char> name) => !name.IsEmpty && !name.ContainsAnyExcept(NameChars);

    /// <inheritdoc />
    public override string ToString() => Value;

    /// <summary>Parses <paramref name="value"/>, or refuses it with <c>bad_request</c> saying why.</summary>
    internal static ChannelName ParseOrRefuse(string? value, int maxLength) =>
        TryParse(value, maxLength, out var channel, out var error) ? channel : throw HubbubException.BadRequest(error);
}
