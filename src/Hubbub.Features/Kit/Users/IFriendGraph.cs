using Hubbub.Storage;

namespace Hubbub.Features.Kit.Users;

/// <summary>
/// Who a user's friends are, for features that rank or filter among them (gamification's boards among friends) without
/// knowing the feature that keeps friendships. The kit registers <see cref="NoFriendGraph"/>; the social feature
/// registers its own after it, and the last registration is the one resolved.
/// </summary>
public interface IFriendGraph
{
    /// <summary>
    /// The ids of <paramref name="user"/>'s friends (never the user), read in <paramref name="tx"/> so they agree with
    /// what the caller reads beside them; as many as the owning feature allows a user to have.
    /// </summary>
    Task<IReadOnlyList<string>> FriendsOfAsync(DatabaseTransaction tx, string user, CancellationToken cancellationToken = default);
}

/// <summary>The friend graph of a server without a social feature: nobody has friends.</summary>
public sealed class NoFriendGraph : IFriendGraph
{
    /// <inheritdoc />
    public Task<IReadOnlyList<string>> FriendsOfAsync(DatabaseTransaction tx, string user, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<string>>([]);
}
