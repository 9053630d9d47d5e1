using System.Text;
using Hubbub.Core;

namespace Hubbub.Features.Kit.Text;

/// <summary>What every feature checks before storing text a user wrote.</summary>
internal static class StoredText
{
    /// <summary>
    /// A title (of a group, a room): optional, blank means none; trimmed; no control characters; at most
    /// <paramref name="maxLength"/> characters (longer is <c>too_large</c>). Kept as written otherwise: clients
    /// render it as text.
    /// </summary>
    public static string? Title(string? title, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(title))
        {
            return null;
        }
        title = title.Trim();
        if (title.Any(char.IsControl))
        {
            throw HubbubException.BadRequest("'title' must not contain control characters");
        }
        Check(title, "title");
        return title.Length > maxLength
            ? throw HubbubException.TooLarge($"'title' is longer than {maxLength} characters")
            : title;
    }

    /// <summary>
    /// A longer text (a description): optional, blank means none; kept exactly as written, line breaks included; at most
    /// <paramref name="maxLength"/> characters (longer is <c>too_large</c> naming <paramref name="field"/>).
    /// </summary>
    public static string? Body(string? text, int maxLength, string field)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        Check(text, field);
        return text.Length > maxLength
            ? throw HubbubException.TooLarge($"'{field}' is longer than {maxLength} characters")
            : text;
    }

    /// <summary>
    /// Text made from data a caller sent (a template filled from an event's fields), made storable where
    /// <see cref="Check"/> would refuse it: NUL dropped, an unpaired surrogate replaced by U+FFFD. Why not refuse: the
    /// data was accepted as JSON long before (an event), and the text is made later, in a handler that would otherwise
    /// fail on PostgreSQL on every retry and never make it.
    /// </summary>
    public static string Storable(string value)
    {
        StringBuilder? fixedText = null;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                fixedText?.Append(c).Append(value[i + 1]);
                i++;
                continue;
            }
            if (c == '\0' || char.IsSurrogate(c))
            {
                fixedText ??= new StringBuilder(value.Length).Append(value, 0, i);
                if (c != '\0')
                {
                    fixedText.Append('\uFFFD');
                }
                continue;
            }
            fixedText?.Append(c);
        }
        return fixedText?.ToString() ?? value;
    }

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
