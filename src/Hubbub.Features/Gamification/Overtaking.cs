using Hubbub.Features.Gamification.Ranking;
using Hubbub.Features.Kit;
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
/// Every pass of one event costs one query per board (whom it passed), not a few statements per user: the publications
/// and notifications go into the event's <see cref="PublicationBatch"/>, each notification keyed <c>overtaken:{board}</c>
/// so that the kit deletes the user's unread one of that board in the batch's insert (one statement for all of them).
/// </summary>
internal static class Overtaking
{
    /// <summary>
    /// Adds the <c>overtaken</c> publications and notifications of every pass to <paramref name="batch"/>; each
    /// notification replaces its user's unread <c>overtaken</c> of the same board.
    /// </summary>
    public static async Task NotifyAsync(FeatureTransaction tx, PublicationBatch batch, string passer, string name,
        IReadOnlyList<Pass> passes, int limit, Func<BoardSlot, double, Task<long>> rankOf, CancellationToken ct)
    {
        if (limit == 0)
        {
            return;
        }
        foreach (var pass in passes)
        {
            var board = pass.Board;
            var passed = await ScoreStore.PassedAsync(tx, board.Key, pass.Period, passer, pass.OldScore, pass.NewScore, board.Order == "asc", limit, ct);
            if (passed.Count == 0)
            {
                continue;
            }
            var ranks = await RanksAsync(pass.Slot, passed, rankOf);
            var replaces = $"{GamificationEvents.Overtaken}:{board.Key}";
            foreach (var row in passed.OrderBy(r => r.User, StringComparer.Ordinal))
            {
                var overtaken = new Overtaken(board.Key, passer, name, ranks[row.Score]);
                batch.Publish(FeatureTransaction.UserChannel(row.User), GamificationEvents.Overtaken, overtaken, Default.Overtaken);
                batch.Notify(row.User, GamificationEvents.Overtaken, overtaken, Default.Overtaken, replaces);
            }
        }
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
}
