using System.Globalization;
using Hubbub.Core;

namespace Hubbub.Features.Social;

/// <summary>
/// Where a page of a friend list ended: which list, and its last row (newest first: the time, then the user id), written
/// <c>f.1733400000000.bob</c> (<c>f</c>riends, <c>i</c>ncoming, <c>o</c>utgoing). Opaque to clients.
/// </summary>
internal readonly record struct FriendCursor(FriendListKind List, long Ms, string User)
{
    public override string ToString() =>
        $"{List switch { FriendListKind.Friends => 'f', FriendListKind.Incoming => 'i', _ => 'o' }}.{Ms.ToString(CultureInfo.InvariantCulture)}.{User}";

    /// <summary>A cursor from a previous page; anything else is <c>bad_request</c>.</summary>
    public static FriendCursor Parse(string value)
    {
        var parts = value.Split('.', 3);
        FriendListKind? list = parts[0] switch { "f" => FriendListKind.Friends, "i" => FriendListKind.Incoming, "o" => FriendListKind.Outgoing, _ => null };
        return list is { } kind && parts.Length == 3
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && parts[2].Length > 0
            ? new FriendCursor(kind, ms, parts[2])
            : throw HubbubException.BadRequest("'before' must be a cursor from a previous page");
    }
}
