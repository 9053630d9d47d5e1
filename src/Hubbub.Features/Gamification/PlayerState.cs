using System.Collections.Concurrent;
using System.Text;
using Hubbub.Storage;

namespace Hubbub.Features.Gamification;

/// <summary>
/// The rows one event may change for its user — achievement progress, quest progress of the event's periods, streaks,
/// leaderboard scores — read in one statement, changed in memory and written back in one command
/// (<see cref="PlayerChanges"/>), instead of a statement or two per achievement, quest, streak and board. Reading first
/// and writing after is exact because the user's row is locked before (<see cref="PlayerStore.LockAsync"/>): no other
/// event of the user, on any node, changes these rows until this transaction ends, and nothing else writes them.
/// </summary>
internal sealed class PlayerState
{
    public Dictionary<string, (double Progress, long? DoneMs)> Achievements { get; } = new(StringComparer.Ordinal);

    public Dictionary<(string Quest, string Period), (long Progress, long? DoneMs)> Quests { get; } = [];

    public Dictionary<string, (long Count, long Best, long LastDay)> Streaks { get; } = new(StringComparer.Ordinal);

    public Dictionary<(string Board, string Period), (double Score, long Version)> Scores { get; } = [];

    public static async Task<PlayerState> ReadAsync(DatabaseTransaction tx, string user, IReadOnlyList<string> achievements,
        IReadOnlyList<(string Quest, string Period)> quests, IReadOnlyList<string> streaks, IReadOnlyList<(string Board, string Period)> boards,
        CancellationToken ct)
    {
        var state = new PlayerState();
        if (achievements.Count + quests.Count + streaks.Count + boards.Count == 0)
        {
            return state;
        }
        // Values in the order the text names them: @user, then each part's keys (BuildReadSql).
        var shape = (tx.Provider, achievements.Count, quests.Count, streaks.Count, boards.Count);
        var values = ReadSql.GetOrAdd(shape, static shape => new Statement(BuildReadSql(shape))).Values().Add(user);
        Add(values, achievements);
        Add(values, quests);
        Add(values, streaks);
        Add(values, boards);
        await tx.QueryAsync(values, state, static (row, state) => state.Read(row), ct);
        return state;
    }

    // Columns: Kind, Key, Period, A, B, C (BuildReadSql).
    private void Read(StatementRow row)
    {
        var key = row.GetString(1);
        var (a, b) = (row.GetDouble(3), row.GetDouble(4));
        switch (row.GetString(0))
        {
            case "a":
                Achievements[key] = (a, b < 0 ? null : (long)b);
                break;
            case "q":
                Quests[(key, row.GetString(2))] = ((long)a, b < 0 ? null : (long)b);
                break;
            case "s":
                Streaks[key] = ((long)a, (long)b, (long)row.GetDouble(5));
                break;
            case "b":
                Scores[(key, row.GetString(2))] = (a, (long)b);
                break;
        }
    }

    // The statement's text depends only on the engine and how many of each kind are read: made once per shape (not per
    // event), so the event's work on the one writer does not rebuild it, and the writer's statement cache finds it.
    private static readonly ConcurrentDictionary<(DatabaseProvider, int, int, int, int), Statement> ReadSql = new();

    private static string BuildReadSql((DatabaseProvider Provider, int Achievements, int Quests, int Streaks, int Boards) shape)
    {
        // Every number as a double (exact for these integers: all far below 2^53) and no NULL, so each column has one
        // type in every row of the union on both engines; every part names its columns, since any may come first.
        var real = shape.Provider == DatabaseProvider.Postgres ? "DOUBLE PRECISION" : "REAL";
        var parts = new List<string>(4);
        if (shape.Achievements > 0)
        {
            parts.Add($"""
                SELECT 'a' AS Kind, achievement AS Key, '' AS Period, CAST(progress AS {real}) AS A, CAST(COALESCE(unlocked_ms, -1) AS {real}) AS B,
                    CAST(0 AS {real}) AS C
                FROM gam_achievement_progress WHERE user_id = @user AND achievement IN ({List("a", shape.Achievements)})
                """);
        }
        if (shape.Quests > 0)
        {
            parts.Add($"""
                SELECT 'q' AS Kind, quest AS Key, period_key AS Period, CAST(progress AS {real}) AS A, CAST(COALESCE(completed_ms, -1) AS {real}) AS B,
                    CAST(0 AS {real}) AS C
                FROM gam_quest_progress WHERE user_id = @user AND ({Pairs("q", "quest", "period_key", shape.Quests)})
                """);
        }
        if (shape.Streaks > 0)
        {
            parts.Add($"""
                SELECT 's' AS Kind, streak AS Key, '' AS Period, CAST(count AS {real}) AS A, CAST(best AS {real}) AS B, CAST(last_day AS {real}) AS C
                FROM gam_streak_state WHERE user_id = @user AND streak IN ({List("s", shape.Streaks)})
                """);
        }
        if (shape.Boards > 0)
        {
            parts.Add($"""
                SELECT 'b' AS Kind, board AS Key, period_key AS Period, CAST(score AS {real}) AS A, CAST(version AS {real}) AS B, CAST(0 AS {real}) AS C
                FROM gam_scores WHERE user_id = @user AND ({Pairs("b", "board", "period_key", shape.Boards)})
                """);
        }
        return string.Join("\nUNION ALL\n", parts);
    }

    private static void Add(StatementValues values, IReadOnlyList<string> keys)
    {
        for (var i = 0; i < keys.Count; i++)
        {
            values.Add(keys[i]);
        }
    }

    private static void Add(StatementValues values, IReadOnlyList<(string Key, string Period)> keys)
    {
        for (var i = 0; i < keys.Count; i++)
        {
            values.Add(keys[i].Key).Add(keys[i].Period);
        }
    }

    private static string List(string prefix, int count) =>
        string.Join(", ", Enumerable.Range(0, count).Select(i => "@" + ParameterNames.Of(prefix, i)));

    private static string Pairs(string prefix, string keyColumn, string periodColumn, int count) =>
        string.Join(" OR ", Enumerable.Range(0, count).Select(i =>
            $"({keyColumn} = @{ParameterNames.Of(prefix, i)} AND {periodColumn} = @{ParameterNames.Of(prefix + "p", i)})"));
}

/// <summary>
/// What one event changes in its user's rows, written in one command of one statement per table touched (each a
/// multi-row upsert), in a fixed order of tables and keys.
/// </summary>
internal sealed class PlayerChanges(string user)
{
    private readonly List<(string Key, double Progress, long? DoneMs)> _achievements = [];
    private readonly List<(string Key, string Period, long Progress, long? DoneMs)> _quests = [];
    private readonly List<(string Key, long Count, long Best, long LastDay)> _streaks = [];
    private readonly List<(string Board, string Period, double Score, long ReachedMs, long Version)> _scores = [];
    private (long Xp, int Level)? _xp;

    public void Achievement(string key, double progress, long? doneMs) => _achievements.Add((key, progress, doneMs));

    public void Quest(string key, string period, long progress, long? doneMs) => _quests.Add((key, period, progress, doneMs));

    public void Streak(string key, long count, long best, long lastDay) => _streaks.Add((key, count, best, lastDay));

    public void Score(string board, string period, double score, long reachedMs, long version) => _scores.Add((board, period, score, reachedMs, version));

    public void Xp(long xp, int level) => _xp = (xp, level);

    public async Task WriteAsync(DatabaseTransaction tx, CancellationToken ct)
    {
        var shape = (_xp is not null, _achievements.Count, _quests.Count, _streaks.Count, _scores.Count);
        if (shape == (false, 0, 0, 0, 0))
        {
            return;
        }
        // Values in the order the text names them (BuildWriteSql): @xp, @level, @user when XP changed, else @user first;
        // then each table's rows, their values in column order.
        var values = WriteSql.GetOrAdd(shape, static shape => new Statement(BuildWriteSql(shape))).Values();
        if (_xp is { } xp)
        {
            values.Add(xp.Xp).Add((long)xp.Level);
        }
        values.Add(user);
        foreach (var (key, progress, doneMs) in _achievements)
        {
            values.Add(key).Add(progress).Add(doneMs);
        }
        foreach (var (key, period, progress, doneMs) in _quests)
        {
            values.Add(key).Add(period).Add(progress).Add(doneMs);
        }
        foreach (var (key, count, best, lastDay) in _streaks)
        {
            values.Add(key).Add(count).Add(best).Add(lastDay);
        }
        foreach (var (board, period, score, reachedMs, version) in _scores)
        {
            values.Add(board).Add(period).Add(score).Add(reachedMs).Add(version);
        }
        await tx.ExecuteAsync(values, ct);
    }

    // The command's text depends only on which tables and how many rows of each are written: made once per shape, not per
    // event (the event's work runs on SQLite's one writer).
    private static readonly ConcurrentDictionary<(bool, int, int, int, int), Statement> WriteSql = new();

    private static string BuildWriteSql((bool Xp, int Achievements, int Quests, int Streaks, int Scores) shape)
    {
        var sql = new StringBuilder();
        if (shape.Xp)
        {
            sql.Append("UPDATE gam_users SET xp = @xp, level = @level WHERE user_id = @user;\n");
        }
        Upsert(sql, "gam_achievement_progress (user_id, achievement, progress, unlocked_ms)", "(user_id, achievement)",
            "progress = excluded.progress, unlocked_ms = excluded.unlocked_ms", shape.Achievements, i => $"(@user, {P("ak", i)}, {P("ap", i)}, {P("ad", i)})");
        Upsert(sql, "gam_quest_progress (user_id, quest, period_key, progress, completed_ms)", "(user_id, quest, period_key)",
            "progress = excluded.progress, completed_ms = excluded.completed_ms", shape.Quests,
            i => $"(@user, {P("qk", i)}, {P("qp", i)}, {P("qn", i)}, {P("qd", i)})");
        Upsert(sql, "gam_streak_state (user_id, streak, count, best, last_day)", "(user_id, streak)",
            "count = excluded.count, best = excluded.best, last_day = excluded.last_day", shape.Streaks,
            i => $"(@user, {P("sk", i)}, {P("sc", i)}, {P("sb", i)}, {P("sl", i)})");
        // @user first in every row, so it is named first whichever tables are written (the values' order).
        Upsert(sql, "gam_scores (user_id, board, period_key, score, reached_ms, version)", "(board, period_key, user_id)",
            "score = excluded.score, reached_ms = excluded.reached_ms, version = excluded.version", shape.Scores,
            i => $"(@user, {P("bk", i)}, {P("bp", i)}, {P("bs", i)}, {P("br", i)}, {P("bv", i)})");
        return sql.ToString();
    }

    private static void Upsert(StringBuilder sql, string into, string conflict, string set, int count, Func<int, string> values)
    {
        if (count == 0)
        {
            return;
        }
        sql.Append("INSERT INTO ").Append(into).Append(" VALUES ");
        for (var i = 0; i < count; i++)
        {
            sql.Append(i == 0 ? "" : ", ").Append(values(i));
        }
        sql.Append(" ON CONFLICT ").Append(conflict).Append(" DO UPDATE SET ").Append(set).Append(";\n");
    }

    private static string P(string prefix, int i) => "@" + ParameterNames.Of(prefix, i);
}
