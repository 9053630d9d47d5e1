namespace Hubbub.Features.Gamification.Ranking;

/// <summary>
/// The ranked index of the current period of leaderboards: rank, top N and around a user in O(log n), beside the
/// database, which stays the truth. Scores reach it only after their commit (<see cref="ApplyAsync"/>), each carrying
/// the row's version from the database, so an older value delivered late never replaces a newer one. A board and period
/// is (re)built from the database on first use. Ranks follow <see cref="ScoreStore"/>: the better score first, then who
/// reached it first, then the user id; a rank is 1 + the number of strictly better scores (ties share one: 1, 2, 2, 4).
/// Two implementations: <see cref="InMemoryLeaderboardIndex"/> (one per node, the embedded default) and
/// <see cref="RedisLeaderboardIndex"/> (a sorted set shared by the nodes, when Redis is configured).
/// </summary>
public interface ILeaderboardIndex
{
    /// <summary>Applies a committed score; ignored when the index holds this entry at the same or a newer version.</summary>
    Task ApplyAsync(BoardSlot board, IndexedScore score, CancellationToken cancellationToken = default);

    /// <summary>The user's rank, position and score; null when the user has no score on the board.</summary>
    Task<UserRank?> RankAsync(BoardSlot board, string user, CancellationToken cancellationToken = default);

    /// <summary>
    /// 1 + the number of scores strictly better than <paramref name="score"/>, not counting <paramref name="exceptUser"/>'s
    /// (the rank that score has, or would have, for that user).
    /// </summary>
    Task<long> RankOfScoreAsync(BoardSlot board, double score, string? exceptUser, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="RankOfScoreAsync"/> of each of <paramref name="scores"/>, in order, in one read (one Redis round trip):
    /// what an event needs for a user's previous and new rank.
    /// </summary>
    Task<long[]> RanksOfScoresAsync(BoardSlot board, IReadOnlyList<double> scores, string? exceptUser, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="RanksOfScoresAsync"/> of <paramref name="scores"/> counting <paramref name="pending"/> and, when
    /// <paramref name="behindLimit"/> is positive, <see cref="BehindAsync"/> of <paramref name="behind"/> with that limit,
    /// all from one state in one read (one Redis round trip): what an event needs, its ranks and, on SQLite, whom it
    /// passed, without a statement on the writer. Each of <paramref name="pending"/> (changes the index may not hold yet,
    /// <see cref="UncommittedScores.Pending"/>) counts at its score instead of the user's held entry unless the index
    /// holds that user at the same or a newer version: decided in the same state as the count, so an apply landing at
    /// any moment is counted once. The entries behind are the applied ones, as <see cref="BehindAsync"/>'s.
    /// </summary>
    Task<RanksRead> RanksAndBehindAsync(BoardSlot board, IReadOnlyList<double> scores, string? exceptUser, IReadOnlyList<PendingScore> pending,
        double behind, int behindLimit, CancellationToken cancellationToken = default);

    /// <summary>The first <paramref name="limit"/> entries in order: the page from position 0.</summary>
    Task<IReadOnlyList<RankedScore>> TopAsync(BoardSlot board, int limit, CancellationToken cancellationToken = default) =>
        RangeAsync(board, 0, limit, cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> entries in order from the 0-based position <paramref name="start"/> (none past the
    /// end): a page of the board. The first entry's rank counts every strictly better score, so ties that a page boundary
    /// splits keep their shared rank on both pages.
    /// </summary>
    Task<IReadOnlyList<RankedScore>> RangeAsync(BoardSlot board, long start, int limit, CancellationToken cancellationToken = default);

    /// <summary>The user's entry with up to <paramref name="limit"/> before and after it, in order; empty when the user has no score.</summary>
    Task<IReadOnlyList<RankedScore>> AroundAsync(BoardSlot board, string user, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="AroundAsync"/> with how many users have a score on the board, from one state in one read (one Redis
    /// round trip instead of two): what an around-me page needs to know whether a page follows its window.
    /// </summary>
    Task<RankedWindow> AroundCountedAsync(BoardSlot board, string user, int limit, CancellationToken cancellationToken = default);

    /// <summary>How many users have a score on the board.</summary>
    Task<long> CountAsync(BoardSlot board, CancellationToken cancellationToken = default);

    /// <summary>Forgets what is indexed of the board and period, so the next use rebuilds it from the database.</summary>
    Task InvalidateAsync(BoardSlot board, CancellationToken cancellationToken = default);

    /// <summary>
    /// Up to <paramref name="limit"/> applied entries in order from the first whose score is strictly worse than
    /// <paramref name="score"/>: whom a new score of <paramref name="score"/> passed, nearest first, before the changes
    /// the index does not hold yet (<see cref="UncommittedScores"/>) are merged in. Used on SQLite's single writer only
    /// (<see cref="Overtaking"/>): there every other transaction has ended, so the applied entries and the changes not
    /// applied yet are the database's rows; on PostgreSQL other transactions' changes are not visible here (the
    /// database's query answers). Null when the index cannot answer.
    /// </summary>
    Task<IReadOnlyList<RankedScore>?> BehindAsync(BoardSlot board, double score, int limit, CancellationToken cancellationToken = default);
}

/// <summary>One board in one period, in the board's order (<paramref name="Ascending"/>: the lowest score is first).</summary>
public sealed record BoardSlot(string Board, string Period, bool Ascending);

/// <summary>A committed score: the user, the score, when it was reached (Unix ms) and the row's version (grows by one per change).</summary>
public sealed record IndexedScore(string User, double Score, long ReachedMs, long Version);

/// <summary>A user's place: <paramref name="Rank"/> (shared by ties) and <paramref name="Position"/> (1-based, unique).</summary>
public sealed record UserRank(long Rank, long Position, double Score);

/// <summary>An entry of a page, with its rank (shared by ties) and its position (1-based, unique).</summary>
public sealed record RankedScore(long Rank, string User, double Score, long Position);

/// <summary>An event's ranks (<see cref="ILeaderboardIndex.RanksOfScoresAsync"/>) and, when asked, whom its new score passed (<see cref="ILeaderboardIndex.BehindAsync"/>).</summary>
public sealed record RanksRead(long[] Ranks, IReadOnlyList<RankedScore>? Behind);

/// <summary>A user's window of entries (<see cref="ILeaderboardIndex.AroundAsync"/>) and how many entries the board holds.</summary>
public sealed record RankedWindow(IReadOnlyList<RankedScore> Rows, long Count);

/// <summary>Ranks runs of entries.</summary>
internal static class Ranks
{
    /// <summary>Ranks entries given in order, the first with rank <paramref name="firstRank"/> at <paramref name="firstPosition"/>; ties share a rank.</summary>
    public static List<RankedScore> Assign(IReadOnlyList<(string User, double Score)> rows, long firstRank, long firstPosition)
    {
        var ranked = new List<RankedScore>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var rank = i == 0 ? firstRank : rows[i].Score == rows[i - 1].Score ? ranked[i - 1].Rank : firstPosition + i;
            ranked.Add(new RankedScore(rank, rows[i].User, rows[i].Score, firstPosition + i));
        }
        return ranked;
    }
}
