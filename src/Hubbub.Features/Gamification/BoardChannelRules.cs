using System.Text.Json;
using Hubbub.Core.Channels;
using Microsoft.Extensions.Options;

namespace Hubbub.Features.Gamification;

/// <summary>
/// The <c>leaderboard:{key}</c> namespace: any signed-in user subscribes, and the reply's <c>state</c> is the board's
/// top rows (<see cref="GamificationOptions.LeaderboardLiveRows"/>, as <c>GET /api/leaderboards/{key}</c> answers);
/// client publishes are <c>forbidden</c> (only the server publishes <c>leaderboard_change</c>). No presence: a popular
/// board may have thousands of watchers, and each join would go to all of them.
/// </summary>
internal static class BoardChannelRules
{
    public static ChannelNamespace Create(LeaderboardService boards, IOptions<GamificationOptions> options) =>
        new(GamificationService.BoardNamespace, ChannelNamespace.Anyone, ChannelNamespace.Nobody, presence: false,
            joinState: async (access, ct) =>
                await boards.CurrentTopAsync(access.Channel.Name, options.Value.LeaderboardLiveRows, ct) is { } page
                    ? JsonSerializer.SerializeToUtf8Bytes(page, GamificationJsonContext.Default.LeaderboardPage)
                    : null);
}
