namespace Hubbub.Core.Channels;

/// <summary>
/// The channels a token grants (its <c>channels</c> claim): exact names (<c>team:42</c>) or patterns whose name ends in
/// <c>*</c>, matching every name of the namespace that starts with what precedes it (<c>orders:*</c>, <c>orders:eu-*</c>).
/// The namespace itself is never a pattern: a grant reaches one namespace only.
/// </summary>
public static class ChannelGrants
{
    /// <summary>Most entries a <c>channels</c> claim may hold.</summary>
    public const int MaxEntries = 256;

    /// <summary>Longest entry of a <c>channels</c> claim.</summary>
    public const int MaxEntryLength = 200;

    /// <summary>Whether <paramref name="pattern"/> is a channel name, or one whose name part ends in a single <c>*</c>.</summary>
    public static bool IsValidPattern(string? pattern)
    {
        if (string.IsNullOrEmpty(pattern) || pattern.Length > MaxEntryLength)
        {
            return false;
        }
        if (!pattern.EndsWith('*'))
        {
            return ChannelName.TryParse(pattern, MaxEntryLength, out _, out _);
        }
        var prefix = pattern[..^1];
        var colon = prefix.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return false;
        }
        // "ns:" alone is a valid prefix; otherwise the prefix must be a valid channel name so far.
        return colon == prefix.Length - 1
            ? ChannelName.TryParse(prefix + "x", MaxEntryLength + 1, out _, out _)
            : ChannelName.TryParse(prefix, MaxEntryLength, out _, out _);
    }

    /// <summary>Whether one of <paramref name="grants"/> names or matches <paramref name="channel"/>.</summary>
    public static bool Grants(IReadOnlyList<string> grants, ChannelName channel)
    {
        foreach (var grant in grants)
        {
            if (grant.EndsWith('*')
                ? channel.Value.StartsWith(grant.AsSpan(0, grant.Length - 1), StringComparison.Ordinal)
                  && grant.IndexOf(':', StringComparison.Ordinal) == channel.Namespace.Length
                : string.Equals(grant, channel.Value, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }
}
