using Hubbub.Features.Kit;
using Hubbub.Storage;
using static Hubbub.Features.Gamification.GamificationJsonContext;

namespace Hubbub.Features.Gamification;

/// <summary>
/// <c>overtaken {board, by, name, rank}</c> to the users a better score passed, in the event's transaction: live on each
/// one's <c>user:{id}</c> through the outbox and kept in their inbox, where a newer <c>overtaken</c> of the same board
/// replaces one still unread. Once per pass (a retried event is answered from its first run), only in the board's
/// current period, and to at most <see cref="GamificationOptions.OvertakenLimit"/> users per pass: those nearest the new
/// score, whose place changed most visibly. Their ranks come from <c>rankOf</c> (the ranked index, with the new score).
/// </summary>
internal static class Overtaking
{
    public static async Task NotifyAsync(FeatureTransaction tx, LeaderboardView board, string period, string passer, double? oldScore,
        double newScore, int limit, Func<double, Task<long>> rankOf, CancellationToken ct)
    {
        if (limit == 0)
        {
            return;
        }
        var ascending = board.Order == "asc";
        var passed = await ScoreStore.PassedAsync(tx, board.Key, period, passer, oldScore, newScore, ascending, limit, ct);
        if (passed.Count == 0)
        {
            return;
        }
        var name = (await ScoreStore.FindAsync(tx, board.Key, period, passer, ct))?.Name ?? passer;
        var ranks = new Dictionary<double, long>();
        // Written in user-id order, whatever the scores: two concurrent passes over the same users then take the
        // notice rows' locks (PostgreSQL) in one order and cannot deadlock each other on one board.
        foreach (var row in passed.OrderBy(r => r.User, StringComparer.Ordinal))
        {
            if (!ranks.TryGetValue(row.Score, out var rank))
            {
                ranks[row.Score] = rank = await rankOf(row.Score);
            }
            var overtaken = new Overtaken(board.Key, passer, name, rank);
            await tx.PublishAsync(FeatureTransaction.UserChannel(row.User), GamificationEvents.Overtaken, overtaken, Default.Overtaken, ct);
            if (await NoticeAsync(tx, row.User, board.Key, ct) is { } previous)
            {
                await tx.WithdrawUnreadNotificationAsync(row.User, previous, ct);
            }
            var notice = await tx.NotifyAsync(row.User, GamificationEvents.Overtaken, overtaken, Default.Overtaken, ct);
            await SetNoticeAsync(tx, row.User, board.Key, notice.Id, ct);
        }
    }

    private static Task<string?> NoticeAsync(DatabaseTransaction tx, string user, string board, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<string>("SELECT notification_id FROM gam_overtaken_notices WHERE user_id = @user AND board = @board",
            new { user, board }, ct);

    private static Task SetNoticeAsync(DatabaseTransaction tx, string user, string board, string notification, CancellationToken ct) =>
        tx.ExecuteAsync(
            """
            INSERT INTO gam_overtaken_notices (user_id, board, notification_id) VALUES (@user, @board, @notification)
            ON CONFLICT (user_id, board) DO UPDATE SET notification_id = excluded.notification_id
            """, new { user, board, notification }, ct);
}
