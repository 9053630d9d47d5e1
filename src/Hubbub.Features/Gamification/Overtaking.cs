using System.Globalization;
using Dapper;
using Hubbub.Features.Gamification.Ranking;
using Hubbub.Features.Kit;
using Hubbub.Features.Kit.Notifications;
using Hubbub.Storage;
using static Hubbub.Features.Gamification.GamificationJsonContext;

namespace Hubbub.Features.Gamification;

/// <summary>A better score on a board's current period: the users between the old and the new score were passed.</summary>
internal sealed record Pass(LeaderboardView Board, string Period, BoardSlot Slot, double? OldScore, double NewScore);

/// <summary>
/// <c>overtaken {board, by, name, rank}</c> to the users a better score passed, in the event's transaction: live on each
/// one's <c>user:{id}</c> through the outbox and kept in their inbox, where a newer <c>overtaken</c> of the same board
/// replaces one still unread. Once per pass (a retried event is answered from its first run), only in the board's
/// current period, and to at most <see cref="GamificationOptions.OvertakenLimit"/> users per pass: those nearest the new
/// score, whose place changed most visibly. Their ranks come from one <c>rankOf</c> per pass (the ranked index, with the new
/// score: the best passed row's rank) and the rows' order (<see cref="RanksAsync"/>).
/// Every pass of one event costs one query per board (whom it passed) and a few statements in all, not a few per user:
/// the previous notices are read and withdrawn in one statement each, the publications and notifications go into the
/// event's <see cref="PublicationBatch"/>, and the new notices are kept in one statement (<see cref="KeepNoticesAsync"/>).
/// </summary>
internal static class Overtaking
{
    /// <summary>
    /// Adds the <c>overtaken</c> publications and notifications of every pass to <paramref name="batch"/> (before anything
    /// else is added to it: <see cref="KeepNoticesAsync"/> takes the batch's first notifications as theirs) and withdraws
    /// the unread ones they replace. Answers the (user, board) of each notification added, in order.
    /// </summary>
    public static async Task<List<(string User, string Board)>> NotifyAsync(FeatureTransaction tx, PublicationBatch batch, string passer, string name,
        IReadOnlyList<Pass> passes, int limit, Func<BoardSlot, double, Task<long>> rankOf, CancellationToken ct)
    {
        if (limit == 0 || passes.Count == 0)
        {
            return [];
        }
        if (batch.Count != 0)
        {
            throw new InvalidOperationException("overtaken notifications go first into the batch");
        }
        var notices = new List<(string User, string Board)>();
        foreach (var pass in passes)
        {
            var board = pass.Board;
            var passed = await ScoreStore.PassedAsync(tx, board.Key, pass.Period, passer, pass.OldScore, pass.NewScore, board.Order == "asc", limit, ct);
            if (passed.Count == 0)
            {
                continue;
            }
            var ranks = await RanksAsync(pass.Slot, passed, rankOf);
            // In user-id order, whatever the scores: two concurrent passes over the same users then take the notice rows'
            // locks (PostgreSQL) in one order and cannot deadlock each other on one board.
            foreach (var row in passed.OrderBy(r => r.User, StringComparer.Ordinal))
            {
                var overtaken = new Overtaken(board.Key, passer, name, ranks[row.Score]);
                batch.Publish(FeatureTransaction.UserChannel(row.User), GamificationEvents.Overtaken, overtaken, Default.Overtaken);
                batch.Notify(row.User, GamificationEvents.Overtaken, overtaken, Default.Overtaken);
                notices.Add((row.User, board.Key));
            }
        }
        if (notices.Count > 0)
        {
            var previous = await NoticesAsync(tx, notices, ct);
            if (previous.Count > 0)
            {
                await tx.WithdrawUnreadNotificationsAsync(previous, ct);
            }
        }
        return notices;
    }

    /// <summary>
    /// The rank of each score of a pass's rows (given in the board's order, as <see cref="ScoreStore.PassedAsync"/> reads
    /// them), with one <paramref name="rankOf"/> (one index read, a Redis round trip on Redis) for the whole pass rather
    /// than one per score: the rows are the first of the board below the new score, with nothing between them, so the
    /// best of them ranks <c>rankOf</c> and each next row either ties the one before it (the same rank) or has every row
    /// before it in the list strictly ahead of it (the first's rank plus its position in the list): 1, 2, 2, 4.
    /// </summary>
    private static async Task<Dictionary<double, long>> RanksAsync(BoardSlot slot, List<ScoreRow> passed, Func<BoardSlot, double, Task<long>> rankOf)
    {
        var first = await rankOf(slot, passed[0].Score);
        var ranks = new Dictionary<double, long> { [passed[0].Score] = first };
        for (var i = 1; i < passed.Count; i++)
        {
            ranks.TryAdd(passed[i].Score, first + i);
        }
        return ranks;
    }

    /// <summary>Keeps each notice's notification (the first of <paramref name="kept"/>, in order) as its user's one of its board.</summary>
    public static Task KeepNoticesAsync(FeatureTransaction tx, List<(string User, string Board)> notices, IReadOnlyList<NotificationView> kept,
        CancellationToken ct)
    {
        if (notices.Count == 0)
        {
            return Task.CompletedTask;
        }
        var parameters = new DynamicParameters();
        var values = notices.Select((n, i) => (n.User, n.Board, kept[i].Id))
            .OrderBy(n => n.User, StringComparer.Ordinal).ThenBy(n => n.Board, StringComparer.Ordinal)
            .Select((n, i) =>
            {
                parameters.Add(Name("u", i), n.User);
                parameters.Add(Name("b", i), n.Board);
                parameters.Add(Name("n", i), n.Id);
                return $"(@{Name("u", i)}, @{Name("b", i)}, @{Name("n", i)})";
            });
        return tx.Db.ExecuteAsync(
            $"""
            INSERT INTO gam_overtaken_notices (user_id, board, notification_id) VALUES {string.Join(", ", values)}
            ON CONFLICT (user_id, board) DO UPDATE SET notification_id = excluded.notification_id
            """, parameters, ct);
    }

    /// <summary>The kept notification of each (user, board) that has one.</summary>
    private static async Task<List<(string User, string NotificationId)>> NoticesAsync(DatabaseTransaction tx, List<(string User, string Board)> notices,
        CancellationToken ct)
    {
        var parameters = new DynamicParameters();
        var terms = notices.Select((n, i) =>
        {
            parameters.Add(Name("u", i), n.User);
            parameters.Add(Name("b", i), n.Board);
            return $"(user_id = @{Name("u", i)} AND board = @{Name("b", i)})";
        });
        return (await tx.QueryAsync<(string, string)>(
            $"SELECT user_id, notification_id FROM gam_overtaken_notices WHERE {string.Join(" OR ", terms)}", parameters, ct)).ToList();
    }

    private static string Name(string prefix, int i) => string.Create(CultureInfo.InvariantCulture, $"{prefix}{i}");
}
