using System.Text.Json;
using Hubbub.Core.Channels;
using Hubbub.Storage;

namespace Hubbub.Features.Gamification;

/// <summary>
/// The <c>challenge:{id}</c> namespace: any signed-in user subscribes, and the reply's <c>state</c> is the challenge
/// (with the subscriber's own progress in <c>me</c>) and its top <see cref="ChallengeService.LiveRows"/> participants;
/// client publishes are <c>forbidden</c>; an unknown challenge is <c>not_found</c>, as its REST read answers. No presence,
/// as on leaderboards. Built on <see cref="IDatabase"/> alone: the
/// engine's channel rules are built before the kit's services.
/// </summary>
internal static class ChallengeChannelRules
{
    public static ChannelNamespace Create(IDatabase database, TimeProvider time) =>
        new(ChallengeService.Namespace,
            canSubscribe: ChannelNamespace.Anyone, canPublish: ChannelNamespace.Nobody, presence: false, typingAndCursors: false,
            exists: async (channel, ct) => await ChallengeService.ExistsAsync(database, channel.Name, ct),
            joinState: async (access, ct) =>
                await ChallengeService.StateAsync(database, access.Channel.Name, access.User.Id, time.GetUtcNow().ToUnixTimeMilliseconds(), ct)
                    is { } state
                    ? JsonSerializer.SerializeToUtf8Bytes(state, ChallengeJsonContext.Default.ChallengeState)
                    : null);
}
