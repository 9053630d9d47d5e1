using Hubbub.Core;

namespace Hubbub.Server.Features;

/// <summary>What every feature checks before storing text a user wrote.</summary>
internal static class StoredText
{
    /// <summary>
    /// Refuses what no database can store as text: NUL (PostgreSQL rejects it) and unpaired surrogates (not
    /// encodable as UTF-8). Everything else, markup included, is kept as written.
    /// </summary>
    public static void Check(string value, string field)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\0')
            {
                throw HubbubException.BadRequest($"'{field}' must not contain NUL characters");
            }
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                throw HubbubException.BadRequest($"'{field}' must be valid Unicode (an unpaired surrogate was found)");
            }
        }
    }
}
