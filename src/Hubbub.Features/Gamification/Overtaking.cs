using System.Text.Json;
using Hubbub.Features.Gamification.Ranking;
using Hubbub.Features.Kit;
using Hubbub.Storage;
using static Hubbub.Features.Gamification.GamificationJsonContext;

namespace Hubbub.Features.Gamification;

/// <summary>
/// A better score on a board's current period: the users between the old and the new score were passed.
/// <paramref name="RankBehind"/> is the rank a score just behind the new one has now (<see cref="Overtaking.JustBehind"/>,
/// read from the ranked index with the event's own ranks, in the same call): the best passed row's rank. On SQLite,
/// <paramref name="Passed"/> is whom it passed, read in that call too.
/// </summary>
internal sealed record Pass(LeaderboardView Board, string Period, BoardSlot Slot, double? OldScore, double NewScore, long RankBehind,
    PassedRead? Passed = null);

/// <summary>
/// The applied entries behind a new score (<see cref="ILeaderboardIndex.BehindAsync"/>, read with the event's ranks) and
/// the changes the index may not hold yet, taken just before that read and sent with it (<see cref="UncommittedScores.Pending"/>):
/// the ranks counted the same changes in the same state.
/// </summary>
internal sealed record PassedRead(IReadOnlyList<RankedScore> Behind, Dictionary<string, double> Moved);

/// <summary>
/// <c>overtaken {board, by, name, rank}</c> to the users a better score passed, in the event's transaction: live on each
/// one's <c>user:{id}</c> through the outbox and, when the place they lost was within the board's top
/// <see cref="GamificationOptions.OvertakenNotificationTopRank"/> (<see cref="Kept"/>), kept in their inbox too, where a
/// newer <c>overtaken</c> of the same board replaces one still unread. Once per pass (a retried event is answered from
/// its first run), only in the board's current period, and to at most <see cref="GamificationOptions.OvertakenLimit"/>
/// users per pass: those nearest the new score, whose place changed most visibly. Their ranks need no read of their own: the best passed row's is the pass's
/// <see cref="Pass.RankBehind"/>, read with the event's ranks, and the others follow from the rows' order (<see cref="Ranks"/>);
/// on Redis that is one round trip fewer while the event's transaction holds the writer.
/// Every pass of one event costs one query per board (whom it passed), not a few statements per user: the publications
/// and notifications go into the event's <see cref="PublicationBatch"/>, each notification keyed <c>overtaken:{board}</c>
/// so that the kit overwrites the user's unread one of that board in place (one upsert for all of them). Most passes on a
/// big board are deep in it and keep nothing: a live event is an outbox row, a kept one is also the keyed row, the
/// notice log's and the inbox's bound, and a second publication (the inbox's <c>notification</c>).
/// </summary>
internal static class Overtaking
{
    /// <summary>
    /// Adds the <c>overtaken</c> publications of every pass to <paramref name="batch"/>, and the notifications of those
    /// <see cref="Kept"/> within <paramref name="keptTopRank"/>; each notification replaces its user's unread
    /// <c>overtaken</c> of the same board.
    /// </summary>
    public static async Task NotifyAsync(FeatureTransaction tx, ILeaderboardIndex index, UncommittedScores uncommitted, PublicationBatch batch,
        string passer, string name, IReadOnlyList<Pass> passes, int limit, int keptTopRank, CancellationToken ct)
    {
        if (limit == 0)
        {
            return;
        }
        var count = 0;
        foreach (var pass in passes)
        {
            var board = pass.Board;
            var passed = await PassedAsync(tx, index, uncommitted, passer, pass, limit, ct);
            if (passed.Count == 0)
            {
                continue;
            }
            // Told in the order of the users' ids, so that concurrent passes over the same users lock their kept notifications in
            // one order (PostgreSQL); each with its rank.
            var told = ByUser(passed, Ranks(pass.RankBehind, passed));
            // The data differs only by rank: its JSON up to the rank is serialized once per pass, and each user's made of it.
            var prefix = OvertakenJson.Prefix(board.Key, passer, name);
            string? replaces = null;
            foreach (var (user, rank) in told)
            {
                var overtaken = OvertakenJson.WithRank(prefix, rank);
                var channel = FeatureTransaction.UserChannel(user);
                if (Kept(rank, keptTopRank))
                {
                    replaces ??= $"{GamificationEvents.Overtaken}:{board.Key}";
                    batch.PublishAndNotify(user, channel, GamificationEvents.Overtaken, overtaken, replaces);
                }
                else
                {
                    batch.Publish(channel, GamificationEvents.Overtaken, overtaken);
                }
            }
            count += passed.Count;
        }
        if (count > 0)
        {
            tx.OnCommitted(() => GamificationMetrics.Overtaken.Inc(count));
        }
    }

    /// <summary>
    /// Whether an <c>overtaken</c> whose user now ranks <paramref name="rank"/> is kept in their inbox: when the place they
    /// lost, <paramref name="rank"/> − 1, is within the top <paramref name="topRank"/>. A rank is 1 + the scores strictly
    /// better; the pass made the mover's strictly better and changed no other, so the passed user held <paramref name="rank"/>
    /// − 1 just before, on a <c>desc</c> or an <c>asc</c> board alike. Tied users shared that place and all keep it (two
    /// tied 10th, passed, are both 11th now: both kept with a top 10). 0 keeps none (a passed user ranks 2nd at best).
    /// </summary>
    internal static bool Kept(long rank, int topRank) => rank - 1 <= topRank;

    /// <summary>
    /// Whom the pass passed, nearest first (<see cref="ScoreStore.PassedAsync"/>'s rows). On SQLite, read from the index
    /// (in memory or in Redis), with no statement on the writer: there every other transaction has ended, so the applied
    /// entries and the changes not applied yet (<see cref="UncommittedScores.Moved"/>: earlier events of this transaction,
    /// a group committed just before) are the database's rows. Normally read with the event's ranks
    /// (<see cref="Pass.Passed"/>: no read here, no round trip on Redis). A moved user's score tied with another's in the
    /// range is ordered by when it was reached, which only the database holds: then the query.
    /// </summary>
    private static async Task<List<ScoreRow>> PassedAsync(FeatureTransaction tx, ILeaderboardIndex index, UncommittedScores uncommitted,
        string passer, Pass pass, int limit, CancellationToken ct)
    {
        var ascending = pass.Slot.Ascending;
        if (pass.Passed is { } read)
        {
            if (Merge(read.Behind, read.Moved, passer, pass, limit) is { } rows)
            {
                return rows;
            }
        }
        else if (tx.Db.Provider == DatabaseProvider.Sqlite)
        {
            var moved = uncommitted.Moved(tx, pass.Slot, passer);
            // Enough applied entries that, after leaving out the passer's and the moved users', `limit` remain.
            if (await index.BehindAsync(pass.Slot, pass.NewScore, limit + moved.Count + 1, ct) is { } behind
                && Merge(behind, moved, passer, pass, limit) is { } rows)
            {
                return rows;
            }
        }
        return await ScoreStore.PassedAsync(tx, pass.Board.Key, pass.Period, passer, pass.OldScore, pass.NewScore, ascending, limit, ct);
    }

    /// <summary>
    /// The applied entries behind the new score (in order) without the passer's and the moved users', the moved users'
    /// latest scores in the passed range put in their place, the first <paramref name="limit"/>; null when a moved
    /// user's score ties another in the range (their order is by when each was reached). Without LINQ or sets: it runs
    /// per pass on the writer, over a few dozen rows (the <c>limit</c> and the changes not applied yet).
    /// </summary>
    internal static List<ScoreRow>? Merge(IReadOnlyList<RankedScore> behind, Dictionary<string, double> moved, string passer, Pass pass, int limit)
    {
        var ascending = pass.Slot.Ascending;
        // Passed: strictly behind the new score, and ahead of or level with the old one (everyone for a user new on the board).
        bool Passed(double score) => (ascending ? score > pass.NewScore : score < pass.NewScore)
            && (pass.OldScore is not { } old || (ascending ? score <= old : score >= old));
        var rows = new List<ScoreRow>(Math.Min(behind.Count, limit + moved.Count));
        foreach (var entry in behind)
        {
            if (!Passed(entry.Score))
            {
                break; // in order: every later entry is behind the old score too
            }
            if (entry.User != passer && !moved.ContainsKey(entry.User))
            {
                rows.Add(new ScoreRow { User = entry.User, Name = entry.User, Score = entry.Score });
            }
        }
        foreach (var (user, score) in moved)
        {
            if (!Passed(score))
            {
                continue;
            }
            // In order, as a stable sort by score would put it: before the first row it is better than. The applied ties keep
            // the index's order; a moved user tying anyone in the range (an applied or another moved) is left to the query.
            var at = rows.Count;
            for (var i = 0; i < rows.Count; i++)
            {
                if (rows[i].Score == score)
                {
                    return null;
                }
                if (at == rows.Count && (ascending ? score < rows[i].Score : score > rows[i].Score))
                {
                    at = i;
                }
            }
            rows.Insert(at, new ScoreRow { User = user, Name = user, Score = score });
        }
        if (rows.Count > limit)
        {
            rows.RemoveRange(limit, rows.Count - limit);
        }
        return rows;
    }

    /// <summary>
    /// The score just behind <paramref name="score"/> on a board of that order (the next double towards the worse end):
    /// the index ranks it 1 + the other users' scores at least as good as <paramref name="score"/>, which, with the user
    /// counted too, is the rank of the best score below it, that of the first user the new score passed.
    /// </summary>
    public static double JustBehind(double score, bool ascending) => ascending ? Math.BitIncrement(score) : Math.BitDecrement(score);

    /// <summary>
    /// The rank of each score of a pass's rows (given in the board's order, as <see cref="ScoreStore.PassedAsync"/> reads
    /// them), from <paramref name="first"/>, the best row's rank, with no read at all: the rows are the first of the board
    /// below the new score, with nothing between them, so each next row either ties the one before it (the same rank) or
    /// has every row before it in the list strictly ahead of it (the first's rank plus its position in the list): 1, 2, 2, 4.
    /// The best row's rank is the new score's <see cref="JustBehind"/> rank from the index, plus one for the user who
    /// passed it (left out of the index's count, and now strictly ahead).
    /// </summary>
    internal static long[] Ranks(long first, List<ScoreRow> passed)
    {
        var ranks = new long[passed.Count];
        for (var i = 0; i < ranks.Length; i++)
        {
            // Ties are next to each other in the board's order: a row tying the one before it shares its rank.
            ranks[i] = i > 0 && passed[i].Score == passed[i - 1].Score ? ranks[i - 1] : first + i;
        }
        return ranks;
    }

    /// <summary>The passed users with their ranks, in the order of their ids (ordinal; each user is passed once).</summary>
    private static (string User, long Rank)[] ByUser(List<ScoreRow> passed, long[] ranks)
    {
        var told = new (string User, long Rank)[passed.Count];
        for (var i = 0; i < told.Length; i++)
        {
            told[i] = (passed[i].User, ranks[i]);
        }
        Array.Sort(told, static (a, b) => string.CompareOrdinal(a.User, b.User));
        return told;
    }
}
