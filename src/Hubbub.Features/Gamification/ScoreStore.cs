using Hubbub.Features.Gamification.Ranking;
using Hubbub.Storage;

namespace Hubbub.Features.Gamification;

/// <summary>
/// Leaderboard scores, one row per (board, period, user). Order: the better score first (higher for <c>desc</c>,
/// lower for <c>asc</c>), then who reached it first, then the user id; a rank is 1 + the number of strictly better
/// scores, so ties share one (1, 2, 2, 4). Every query walks the index <c>(board, period_key, score, reached_ms, user_id)</c>.
/// </summary>
internal static class ScoreStore
{
    public static Task<ScoreRow?> FindAsync(DatabaseTransaction tx, string board, string period, string user, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<ScoreRow>(
            $"SELECT {Columns} FROM gam_scores s LEFT JOIN kit_users u ON u.id = s.user_id WHERE s.board = @board AND s.period_key = @period AND s.user_id = @user",
            new { board, period, user }, ct);

    /// <summary>Stores a user's score; returns the row's version after it (1 for a new row, one more per change).</summary>
    public static Task<long> UpsertAsync(DatabaseTransaction tx, string board, string period, string user, double score, long reachedMs, CancellationToken ct) =>
        tx.QuerySingleAsync<long>(
            """
            INSERT INTO gam_scores (board, period_key, user_id, score, reached_ms, version) VALUES (@board, @period, @user, @score, @reachedMs, 1)
            ON CONFLICT (board, period_key, user_id) DO UPDATE
            SET score = excluded.score, reached_ms = excluded.reached_ms, version = gam_scores.version + 1
            RETURNING version
            """, new { board, period, user, score, reachedMs }, ct);

    /// <summary>Every committed score of a board and period, with its version: what the ranked index is rebuilt from.</summary>
    public static async Task<List<IndexedScore>> AllAsync(DatabaseTransaction tx, string board, string period, CancellationToken ct) =>
        (await tx.QueryAsync<IndexedScoreRow>(
            "SELECT user_id AS User, score AS Score, reached_ms AS ReachedMs, version AS Version FROM gam_scores WHERE board = @board AND period_key = @period",
            new { board, period }, ct)).Select(r => new IndexedScore(r.User, r.Score, r.ReachedMs, r.Version)).ToList();

    /// <summary>The display names of <paramref name="users"/> (their id when they have none).</summary>
    public static async Task<Dictionary<string, string>> NamesAsync(DatabaseTransaction tx, IReadOnlyList<string> users, CancellationToken ct)
    {
        var names = users.Distinct(StringComparer.Ordinal).ToDictionary(u => u, u => u, StringComparer.Ordinal);
        if (users.Count > 0)
        {
            var list = names.Keys.ToList();
            foreach (var (id, name) in await tx.QueryAsync<(string, string)>(
                $"SELECT id, name FROM kit_users WHERE id {(tx.Provider == DatabaseProvider.Postgres ? "= ANY(@list)" : "IN @list")} AND name IS NOT NULL",
                new { list }, ct))
            {
                names[id] = name;
            }
        }
        return names;
    }

    /// <summary>The rank of <paramref name="score"/>: 1 + the scores strictly better.</summary>
    public static async Task<long> RankOfAsync(DatabaseTransaction tx, string board, string period, double score, bool ascending, CancellationToken ct) =>
        1 + await tx.QuerySingleAsync<long>(
            $"SELECT COUNT(*) FROM gam_scores WHERE board = @board AND period_key = @period AND score {(ascending ? "<" : ">")} @score",
            new { board, period, score }, ct);

    /// <summary>The position (1-based) of a row in the board's order: the rows before it, plus one.</summary>
    public static async Task<long> PositionOfAsync(DatabaseTransaction tx, string board, string period, ScoreRow row, bool ascending, CancellationToken ct) =>
        1 + await tx.QuerySingleAsync<long>(
            $"SELECT COUNT(*) FROM gam_scores s WHERE s.board = @board AND s.period_key = @period AND {Before(ascending)}",
            new { board, period, row.Score, row.ReachedMs, row.User }, ct);

    /// <summary>Up to <paramref name="limit"/> rows right before <paramref name="row"/> in order (returned in order).</summary>
    public static async Task<List<ScoreRow>> BeforeAsync(DatabaseTransaction tx, string board, string period, ScoreRow row, bool ascending, int limit,
        CancellationToken ct)
    {
        var rows = (await tx.QueryAsync<ScoreRow>(
            $"""
            SELECT {Columns} FROM gam_scores s LEFT JOIN kit_users u ON u.id = s.user_id
            WHERE s.board = @board AND s.period_key = @period AND {Before(ascending)} ORDER BY {Order(!ascending, reverse: true)} LIMIT @limit
            """, new { board, period, row.Score, row.ReachedMs, row.User, limit }, ct)).ToList();
        rows.Reverse();
        return rows;
    }

    /// <summary>Up to <paramref name="limit"/> rows right after <paramref name="row"/> in order.</summary>
    public static async Task<List<ScoreRow>> AfterAsync(DatabaseTransaction tx, string board, string period, ScoreRow row, bool ascending, int limit,
        CancellationToken ct) =>
        (await tx.QueryAsync<ScoreRow>(
            $"""
            SELECT {Columns} FROM gam_scores s LEFT JOIN kit_users u ON u.id = s.user_id
            WHERE s.board = @board AND s.period_key = @period AND {After(ascending)} ORDER BY {Order(ascending)} LIMIT @limit
            """, new { board, period, row.Score, row.ReachedMs, row.User, limit }, ct)).ToList();

    /// <summary>
    /// The rows a new score of <paramref name="user"/> passed: before the change they ranked ahead of or level with the
    /// old score (everyone, for a user new on the board), now the new score is strictly better, so each of their ranks
    /// grew by one. The <paramref name="limit"/> nearest the new score first (the best of them).
    /// </summary>
    public static async Task<List<ScoreRow>> PassedAsync(DatabaseTransaction tx, string board, string period, string user, double? oldScore,
        double newScore, bool ascending, int limit, CancellationToken ct) =>
        (await tx.QueryAsync<ScoreRow>(
            $"""
            SELECT {Columns} FROM gam_scores s LEFT JOIN kit_users u ON u.id = s.user_id
            WHERE s.board = @board AND s.period_key = @period AND s.user_id <> @user AND s.score {(ascending ? ">" : "<")} @newScore
            {(oldScore is null ? "" : $"AND s.score {(ascending ? "<=" : ">=")} @oldScore")}
            ORDER BY {Order(ascending)} LIMIT @limit
            """, new { board, period, user, newScore, oldScore, limit }, ct)).ToList();

    /// <summary>The rows of <paramref name="users"/> on a board (those with a score), in no order.</summary>
    public static async Task<List<ScoreRow>> OfUsersAsync(DatabaseTransaction tx, string board, string period, IReadOnlyList<string> users,
        CancellationToken ct)
    {
        var rows = new List<ScoreRow>();
        // Dapper sends a list to Npgsql as one array parameter (which IN cannot take) and expands it for SQLite, one
        // parameter per id: chunks keep that far under SQLite's parameter limit.
        foreach (var chunk in users.Chunk(500))
        {
            rows.AddRange(await tx.QueryAsync<ScoreRow>(
                $"""
                SELECT {Columns} FROM gam_scores s LEFT JOIN kit_users u ON u.id = s.user_id
                WHERE s.board = @board AND s.period_key = @period AND s.user_id {(tx.Provider == DatabaseProvider.Postgres ? "= ANY(@chunk)" : "IN @chunk")}
                """, new { board, period, chunk }, ct));
        }
        return rows;
    }

    /// <summary>The board's order in memory, as <see cref="PageAsync"/> reads it: the better score, who reached it first, the user id.</summary>
    public static Comparison<ScoreRow> Comparer(bool ascending) => (a, b) =>
        a.Score != b.Score ? (ascending ? a.Score.CompareTo(b.Score) : b.Score.CompareTo(a.Score))
        : a.ReachedMs != b.ReachedMs ? a.ReachedMs.CompareTo(b.ReachedMs)
        : string.CompareOrdinal(a.User, b.User);

    private const string Columns = "s.user_id AS User, COALESCE(u.name, s.user_id) AS Name, s.score AS Score, s.reached_ms AS ReachedMs";

    private static string Order(bool ascending, bool reverse = false) => reverse
        // The board's order backwards: for a desc board, ascending scores, the latest to reach one first.
        ? $"s.score {(ascending ? "ASC" : "DESC")}, s.reached_ms DESC, s.user_id DESC"
        : $"s.score {(ascending ? "ASC" : "DESC")}, s.reached_ms ASC, s.user_id ASC";

    private static string Before(bool ascending) =>
        $"(s.score {(ascending ? "<" : ">")} @Score OR (s.score = @Score AND (s.reached_ms < @ReachedMs OR (s.reached_ms = @ReachedMs AND s.user_id < @User))))";

    private static string After(bool ascending) =>
        $"(s.score {(ascending ? ">" : "<")} @Score OR (s.score = @Score AND (s.reached_ms > @ReachedMs OR (s.reached_ms = @ReachedMs AND s.user_id > @User))))";

    /// <summary>Up to <paramref name="limit"/> rows in order from the 0-based position <paramref name="offset"/> (0: the top).</summary>
    public static async Task<List<ScoreRow>> PageAsync(DatabaseTransaction tx, string board, string period, bool ascending, long offset, int limit,
        CancellationToken ct) =>
        (await tx.QueryAsync<ScoreRow>(
            $"""
            SELECT {Columns} FROM gam_scores s LEFT JOIN kit_users u ON u.id = s.user_id
            WHERE s.board = @board AND s.period_key = @period ORDER BY {Order(ascending)} LIMIT @limit OFFSET @offset
            """, new { board, period, limit, offset }, ct)).ToList();
}

/// <summary>A user's score on one board and period, with their display name.</summary>
internal sealed class ScoreRow
{
    public string User { get; set; } = "";
    public string Name { get; set; } = "";
    public double Score { get; set; }
    public long ReachedMs { get; set; }
}

/// <summary>A score row as the ranked index is rebuilt from it.</summary>
internal sealed class IndexedScoreRow
{
    public string User { get; set; } = "";
    public double Score { get; set; }
    public long ReachedMs { get; set; }
    public long Version { get; set; }
}
