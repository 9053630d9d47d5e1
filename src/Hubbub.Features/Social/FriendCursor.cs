using Hubbub.Core;
using Hubbub.Features.Kit.Declaring;

namespace Hubbub.Features.Social;

/// <summary>
/// Where a page of a friend list ended: which list, and its last row (newest first: the time, then the user id), written
/// <c>f.1733400000000.bob</c> (<c>f</c>riends, <c>i</c>ncoming, <c>o</c>utgoing). Opaque to clients.
/// </summary>
internal readonly record struct FriendCursor(FriendListKind List, long Ms, string User)
{
    public override string ToString() =>
        $"{List switch { FriendListKind.Friends => 'f', FriendListKind.Incoming => 'i', _ => 'o' }}.{KeysetCursor.Format(Ms, User, '.')}";

    /// <summary>A cursor from a previous page; anything else is <c>bad_request</c>.</summary>
    public static FriendCursor Parse(string value)
    {
        FriendListKind? list = value.Length > 2 && value[1] == '.'
            ? value[0] switch { 'f' => FriendListKind.Friends, 'i' => FriendListKind.Incoming, 'o' => FriendListKind.Outgoing, _ => null }
            : null;
        var (ms, user) = list is not null ? KeysetCursor.Parse(value[2..], '.', id => id.Length > 0) : throw HubbubException.BadRequest(KeysetCursor.Refusal);
        return new FriendCursor(list.Value, ms, user);
    }
}
