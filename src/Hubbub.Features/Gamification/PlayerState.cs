using System.Collections.Concurrent;
using System.Data;
using System.Globalization;
using System.Text;
using Dapper;
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
        var parameters = new DynamicParameters(new { user });
        Add(parameters, "a", achievements);
        Add(parameters, "q", "qp", quests);
        Add(parameters, "s", streaks);
        Add(parameters, "b", "bp", boards);
        var shape = (tx.Provider, achievements.Count, quests.Count, streaks.Count, boards.Count);
        var sql = ReadSql.GetOrAdd(shape, BuildReadSql);
        foreach (var row in await tx.QueryAsync<StateRow>(sql, parameters, ct))
        {
            switch (row.Kind)
            {
                case "a":
                    state.Achievements[row.Key] = (row.A, row.B < 0 ? null : (long)row.B);
                    break;
                case "q":
                    state.Quests[(row.Key, row.Period)] = ((long)row.A, row.B < 0 ? null : (long)row.B);
                    break;
                case "s":
                    state.Streaks[row.Key] = ((long)row.A, (long)row.B, (long)row.C);
                    break;
                case "b":
                    state.Scores[(row.Key, row.Period)] = (row.A, (long)row.B);
                    break;
            }
        }
        return state;
    }

    // The statement's text depends only on the engine and how many of each kind are read: made once per shape (not per
    // event), so the event's work on the one writer does not rebuild it, and the writer's statement cache finds it.
    private static readonly ConcurrentDictionary<(DatabaseProvider, int, int, int, int), string> ReadSql = new();

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

    private static void Add(DynamicParameters parameters, string prefix, IReadOnlyList<string> values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            parameters.Add(ParameterNames.Of(prefix, i), values[i]);
        }
    }

    private static void Add(DynamicParameters parameters, string keyPrefix, string periodPrefix, IReadOnlyList<(string Key, string Period)> values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            parameters.Add(ParameterNames.Of(keyPrefix, i), values[i].Key);
            parameters.Add(ParameterNames.Of(periodPrefix, i), values[i].Period);
        }
    }

    private static string List(string prefix, int count) =>
        string.Join(", ", Enumerable.Range(0, count).Select(i => "@" + ParameterNames.Of(prefix, i)));

    private static string Pairs(string prefix, string keyColumn, string periodColumn, int count) =>
        string.Join(" OR ", Enumerable.Range(0, count).Select(i =>
            $"({keyColumn} = @{ParameterNames.Of(prefix, i)} AND {periodColumn} = @{ParameterNames.Of(prefix + "p", i)})"));

    private sealed class StateRow
    {
        public string Kind { get; set; } = "";
        public string Key { get; set; } = "";
        public string Period { get; set; } = "";
        public double A { get; set; }
        public double B { get; set; }
        public double C { get; set; }
    }
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
        var parameters = new DynamicParameters(new { user });
        if (_xp is { } xp)
        {
            parameters.Add("xp", xp.Xp);
            parameters.Add("level", xp.Level);
        }
        for (var i = 0; i < _achievements.Count; i++)
        {
            var (key, progress, doneMs) = _achievements[i];
            parameters.Add(ParameterNames.Of("ak", i), key);
            parameters.Add(ParameterNames.Of("ap", i), progress);
            parameters.Add(ParameterNames.Of("ad", i), doneMs, DbType.Int64);
        }
        for (var i = 0; i < _quests.Count; i++)
        {
            var (key, period, progress, doneMs) = _quests[i];
            parameters.Add(ParameterNames.Of("qk", i), key);
            parameters.Add(ParameterNames.Of("qp", i), period);
            parameters.Add(ParameterNames.Of("qn", i), progress);
            parameters.Add(ParameterNames.Of("qd", i), doneMs, DbType.Int64);
        }
        for (var i = 0; i < _streaks.Count; i++)
        {
            var (key, count, best, lastDay) = _streaks[i];
            parameters.Add(ParameterNames.Of("sk", i), key);
            parameters.Add(ParameterNames.Of("sc", i), count);
            parameters.Add(ParameterNames.Of("sb", i), best);
            parameters.Add(ParameterNames.Of("sl", i), lastDay);
        }
        for (var i = 0; i < _scores.Count; i++)
        {
            var (board, period, score, reachedMs, version) = _scores[i];
            parameters.Add(ParameterNames.Of("bk", i), board);
            parameters.Add(ParameterNames.Of("bp", i), period);
            parameters.Add(ParameterNames.Of("bs", i), score);
            parameters.Add(ParameterNames.Of("br", i), reachedMs);
            parameters.Add(ParameterNames.Of("bv", i), version);
        }
        var sql = WriteSql.GetOrAdd((_xp is not null, _achievements.Count, _quests.Count, _streaks.Count, _scores.Count), BuildWriteSql);
        if (sql.Length > 0)
        {
            await tx.ExecuteAsync(sql, parameters, ct);
        }
    }

    // The command's text depends only on which tables and how many rows of each are written: made once per shape, not per
    // event (the event's work runs on SQLite's one writer).
    private static readonly ConcurrentDictionary<(bool, int, int, int, int), string> WriteSql = new();

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
        Upsert(sql, "gam_scores (board, period_key, user_id, score, reached_ms, version)", "(board, period_key, user_id)",
            "score = excluded.score, reached_ms = excluded.reached_ms, version = excluded.version", shape.Scores,
            i => $"({P("bk", i)}, {P("bp", i)}, @user, {P("bs", i)}, {P("br", i)}, {P("bv", i)})");
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
