using System.Text.Json;
using Hubbub.Core.Channels;
using Hubbub.Storage;

namespace Hubbub.Features.Social;

/// <summary>
/// The <c>feed:{id}</c> namespace: only its owner subscribes (everyone else, friends included, is <c>forbidden</c>), and
/// nobody publishes from a client. A subscribe answers with the newest feed page as its join state, so a page that
/// opens is live at once without a separate load.
/// </summary>
internal static class FeedChannelRules
{
    public static ChannelNamespace Create(IDatabase database, SocialOptions options) => new(
        SocialEvents.Namespace,
        canSubscribe: (access, _) => ValueTask.FromResult(access.User.Id == access.Channel.Name),
        canPublish: ChannelNamespace.Nobody,
        presence: false, typingAndCursors: false,
        joinState: async (access, ct) => JsonSerializer.SerializeToUtf8Bytes(
            await ActivityService.FeedAsync(database, access.Channel.Name, null, null, options.LatestComments, ct),
            SocialJsonContext.Default.ActivityPage));
}
