using Hubbub.Features.Kit.Users;
using Hubbub.Storage;

namespace Hubbub.Features.Social;

/// <summary>The kit's <see cref="IFriendGraph"/> as the social feature keeps friendships (accepted ones only).</summary>
internal sealed class SocialFriendGraph : IFriendGraph
{
    public async Task<IReadOnlyList<string>> FriendsOfAsync(DatabaseTransaction tx, string user, CancellationToken cancellationToken = default) =>
        await FriendStore.FriendIdsAsync(tx, user, cancellationToken);
}
