using System.Collections.Concurrent;
using Hubbub.Core;
using Hubbub.Storage;

namespace Hubbub.Server.Features.Messaging;

/// <summary>
/// Keeps <c>chat_users</c> up to date with the display name each user's token last carried, so participant
/// lists show names of users who are not connected. Writes only when the name changed since this process last
/// wrote it, so calling it on every request costs a dictionary lookup.
/// </summary>
public sealed class UserDirectory(IDatabase database)
{
    private readonly ConcurrentDictionary<string, string> _written = new(StringComparer.Ordinal);

    /// <summary>Records the user's current name.</summary>
    public async ValueTask TouchAsync(HubbubUser user, CancellationToken cancellationToken = default)
    {
        if (_written.TryGetValue(user.Id, out var known) && known == user.Name)
        {
            return;
        }
        await database.InTransactionAsync(tx => MessagingStore.UpsertUserAsync(tx, user.Id, user.Name, cancellationToken), cancellationToken);
        _written[user.Id] = user.Name;
    }
}
