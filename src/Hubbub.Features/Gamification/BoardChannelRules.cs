using System.Text.Json;
using Hubbub.Core.Channels;
using Hubbub.Storage;
using Microsoft.Extensions.Options;

namespace Hubbub.Features.Gamification;

/// <summary>
/// The <c>leaderboard:{key}</c> namespace: any signed-in user subscribes, and the reply's <c>state</c> is the board's
/// top rows (<see cref="GamificationOptions.LeaderboardLiveRows"/>, as <c>GET /api/leaderboards/{key}</c> answers);
/// client publishes are <c>forbidden</c> (only the server publishes <c>leaderboard_change</c>). No presence: a popular
/// board may have thousands of watchers, and each join would go to all of them. An unknown board is <c>not_found</c> (as
/// <c>GET /api/leaderboards/{key}</c> answers: FEATURES.md "unknown ids are not_found"). Built on <see cref="IDatabase"/> alone:
/// the engine's channel rules are built before the kit's services, which publish through the engine.
/// </summary>
internal static class BoardChannelRules
{
    public static ChannelNamespace Create(IDatabase database, IOptions<GamificationOptions> options, TimeProvider time) =>
        new(GamificationService.BoardNamespace,
            canSubscribe: ChannelNamespace.Anyone, canPublish: ChannelNamespace.Nobody, presence: false, typingAndCursors: false,
            exists: async (channel, ct) => await database.ReadAsync(
                async tx => await DefinitionStore.FindAsync(tx, DefinitionStore.Leaderboard, channel.Name, ct) is not null, ct),
            joinState: async (access, ct) => await database.ReadAsync(async tx =>
            {
                if (await DefinitionStore.FindAsync(tx, DefinitionStore.Leaderboard, access.Channel.Name, ct) is not { } row)
                {
                    return null;
                }
                var board = DefinitionService.Leaderboards.Read(row);
                var now = time.GetUtcNow();
                var period = Periods.BoardKey(board.Period, now);
                var page = new LeaderboardPage(board.Key, period,
                    await LeaderboardService.TopRowsAsync(tx, board, period, options.Value.LeaderboardLiveRows, ct),
                    Periods.BoardResetsAt(board.Period, now)?.UtcDateTime);
                return JsonSerializer.SerializeToUtf8Bytes(page, GamificationJsonContext.Default.LeaderboardPage);
            }, ct));
}
