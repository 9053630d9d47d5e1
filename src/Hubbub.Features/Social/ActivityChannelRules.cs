using System.Text.Json;
using Hubbub.Core.Channels;
using Hubbub.Storage;

namespace Hubbub.Features.Social;

/// <summary>
/// The <c>activity:{id}</c> namespace: those who may see the activity (its author and their friends; a blocked user is
/// no friend) subscribe, and hear its likes, comments, edits and deletion live. To anyone else the activity does not
/// exist, as in the REST read: the subscribe is <c>not_found</c>. Nobody publishes from a client. A subscribe answers
/// with the activity as this viewer sees it (counts, <c>liked_by_me</c>, latest comments) as its join state.
/// </summary>
internal static class ActivityChannelRules
{
    public static ChannelNamespace Create(IDatabase database, SocialOptions options) => new(
        SocialEvents.ActivityNamespace,
        // VisibleAsync answers not_found (thrown, and sent as the subscribe's error) for an activity hidden from this user.
        canSubscribe: async (access, ct) => await database.ReadAsync(async tx =>
        {
            await ActivityService.VisibleAsync(tx, access.User, access.Channel.Name, ct);
            return true;
        }, ct),
        canPublish: ChannelNamespace.Nobody,
        // To anyone but an admin, an activity they may not see is not_found whether it exists or not (VisibleAsync).
        exists: async (channel, ct) => await database.ReadAsync(async tx => await ActivityStore.FindAsync(tx, channel.Name, "", ct) is not null, ct),
        existenceIsPrivate: true,
        presence: false, typingAndCursors: false,
        joinState: async (access, ct) => await ActivityService.ViewAsync(database, access.Channel.Name, access.User.Id, options.LatestComments, ct) is { } view
            ? JsonSerializer.SerializeToUtf8Bytes(view, SocialJsonContext.Default.ActivityView)
            : null);
}
