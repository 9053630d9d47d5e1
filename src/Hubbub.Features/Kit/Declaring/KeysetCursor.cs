using System.Globalization;
using Hubbub.Core;

namespace Hubbub.Features.Kit.Declaring;

/// <summary>
/// Where a page of a list kept newest first ended: its last row's time (Unix ms) and the id that orders rows of one
/// millisecond, written <c>{ms}{separator}{id}</c>; the next page goes on after it. Opaque to clients, who pass back
/// the <c>next_cursor</c> they were given. Each list keeps the separator it has always written (rooms and auctions
/// <c>_</c>, courses and learners <c>:</c>, venue activity and friends <c>.</c>), so cursors clients hold stay valid;
/// the id is everything after the first separator, so it may hold the separator itself (the time cannot).
/// </summary>
public readonly record struct KeysetCursor(long Ms, string Id)
{
    /// <summary>The one refusal of every cursor that was not handed out.</summary>
    public const string Refusal = "'before' must be a next_cursor of this list";

    /// <summary>The cursor after <paramref name="ms"/> and <paramref name="id"/>, as a list's <c>next_cursor</c>.</summary>
    public static string Format(long ms, string id, char separator) =>
        string.Create(CultureInfo.InvariantCulture, $"{ms}{separator}{id}");

    /// <summary>
    /// A cursor as <see cref="Format"/> wrote it, whose id <paramref name="isId"/> accepts; anything else is
    /// <c>bad_request</c>, never a silent first page. An id with a character no stored id has is refused here for
    /// every list (see <see cref="CouldBeId"/>), whatever <paramref name="isId"/> says.
    /// </summary>
    public static KeysetCursor Parse(string value, char separator, Func<string, bool> isId)
    {
        var cut = value.IndexOf(separator, StringComparison.Ordinal);
        return cut > 0 && long.TryParse(value.AsSpan(0, cut), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            && value[(cut + 1)..] is var id && CouldBeId(id) && isId(id)
            ? new KeysetCursor(ms, id)
            : throw HubbubException.BadRequest(Refusal);
    }

    /// <summary>
    /// The cursor of a list paged by id alone (venues go up by id: <c>?after=</c>, the last id of the page): kept as
    /// given, so an invented one still reads as a place in the order, as an invented keyset cursor does; one that
    /// <see cref="CouldBeId"/> refuses is <c>bad_request</c> naming <paramref name="name"/>.
    /// </summary>
    public static string ParseId(string value, string name) =>
        CouldBeId(value) ? value : throw HubbubException.BadRequest($"'{name}' must be a next_cursor of this list");

    /// <summary>
    /// Whether <paramref name="id"/> could be a stored row's id: not empty, no control character. No list stores an id
    /// with one, and PostgreSQL text cannot hold NUL at all (the query would fail there, not find nothing), so a
    /// cursor carrying one is refused alike on every engine rather than compared.
    /// </summary>
    public static bool CouldBeId(string id)
    {
        foreach (var c in id)
        {
            if (char.IsControl(c))
            {
                return false;
            }
        }
        return id.Length > 0;
    }

    /// <summary>As <see cref="Parse"/>, for a list whose second part is a number (a sequence, not an id).</summary>
    public static (long Ms, long Seq) ParseNumbers(string value, char separator)
    {
        var cursor = Parse(value, separator, id => id.Length > 0 && id.All(char.IsAsciiDigit));
        return long.TryParse(cursor.Id, NumberStyles.None, CultureInfo.InvariantCulture, out var seq)
            ? (cursor.Ms, seq)
            : throw HubbubException.BadRequest(Refusal);
    }
}
