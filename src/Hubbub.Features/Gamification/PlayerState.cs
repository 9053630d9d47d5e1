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
        // Every number as a double (exact for these integers: all far below 2^53) and no NULL, so each column has one
        // type in every row of the union on both engines; every part names its columns, since any may come first.
        var real = tx.Provider == DatabaseProvider.Postgres ? "DOUBLE PRECISION" : "REAL";
        var parameters = new DynamicParameters(new { user });
        var parts = new List<string>(4);
        if (achievements.Count > 0)
        {
            parts.Add($"""
                SELECT 'a' AS Kind, achievement AS Key, '' AS Period, CAST(progress AS {real}) AS A, CAST(COALESCE(unlocked_ms, -1) AS {real}) AS B,
                    CAST(0 AS {real}) AS C
                FROM gam_achievement_progress WHERE user_id = @user AND achievement IN ({List(parameters, "a", achievements)})
                """);
        }
        if (quests.Count > 0)
        {
            parts.Add($"""
                SELECT 'q' AS Kind, quest AS Key, period_key AS Period, CAST(progress AS {real}) AS A, CAST(COALESCE(completed_ms, -1) AS {real}) AS B,
                    CAST(0 AS {real}) AS C
                FROM gam_quest_progress WHERE user_id = @user AND ({Pairs(parameters, "q", "quest", "period_key", quests)})
                """);
        }
        if (streaks.Count > 0)
        {
            parts.Add($"""
                SELECT 's' AS Kind, streak AS Key, '' AS Period, CAST(count AS {real}) AS A, CAST(best AS {real}) AS B, CAST(last_day AS {real}) AS C
                FROM gam_streak_state WHERE user_id = @user AND streak IN ({List(parameters, "s", streaks)})
                """);
        }
        if (boards.Count > 0)
        {
            parts.Add($"""
                SELECT 'b' AS Kind, board AS Key, period_key AS Period, CAST(score AS {real}) AS A, CAST(version AS {real}) AS B, CAST(0 AS {real}) AS C
                FROM gam_scores WHERE user_id = @user AND ({Pairs(parameters, "b", "board", "period_key", boards)})
                """);
        }
        if (parts.Count == 0)
        {
            return state;
        }
        foreach (var row in await tx.QueryAsync<StateRow>(string.Join("\nUNION ALL\n", parts), parameters, ct))
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

    private static string List(DynamicParameters parameters, string prefix, IReadOnlyList<string> values)
    {
        var names = new string[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            names[i] = string.Create(CultureInfo.InvariantCulture, $"@{prefix}{i}");
            parameters.Add(names[i], values[i]);
        }
        return string.Join(", ", names);
    }

    private static string Pairs(DynamicParameters parameters, string prefix, string keyColumn, string periodColumn, IReadOnlyList<(string Key, string Period)> values)
    {
        var terms = new string[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            terms[i] = string.Create(CultureInfo.InvariantCulture, $"({keyColumn} = @{prefix}{i} AND {periodColumn} = @{prefix}p{i})");
            parameters.Add(string.Create(CultureInfo.InvariantCulture, $"{prefix}{i}"), values[i].Key);
            parameters.Add(string.Create(CultureInfo.InvariantCulture, $"{prefix}p{i}"), values[i].Period);
        }
        return string.Join(" OR ", terms);
    }

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
        var sql = new StringBuilder();
        var parameters = new DynamicParameters(new { user });
        if (_xp is { } xp)
        {
            parameters.Add("xp", xp.Xp);
            parameters.Add("level", xp.Level);
            sql.Append("UPDATE gam_users SET xp = @xp, level = @level WHERE user_id = @user;\n");
        }
        Upsert(sql, "gam_achievement_progress (user_id, achievement, progress, unlocked_ms)", "(user_id, achievement)",
            "progress = excluded.progress, unlocked_ms = excluded.unlocked_ms", _achievements.Count, i =>
            {
                var (key, progress, doneMs) = _achievements[i];
                return $"(@user, {P(parameters, "ak", i, key)}, {P(parameters, "ap", i, progress)}, {P(parameters, "ad", i, doneMs, DbType.Int64)})";
            });
        Upsert(sql, "gam_quest_progress (user_id, quest, period_key, progress, completed_ms)", "(user_id, quest, period_key)",
            "progress = excluded.progress, completed_ms = excluded.completed_ms", _quests.Count, i =>
            {
                var (key, period, progress, doneMs) = _quests[i];
                return $"(@user, {P(parameters, "qk", i, key)}, {P(parameters, "qp", i, period)}, {P(parameters, "qn", i, progress)}, {P(parameters, "qd", i, doneMs, DbType.Int64)})";
            });
        Upsert(sql, "gam_streak_state (user_id, streak, count, best, last_day)", "(user_id, streak)",
            "count = excluded.count, best = excluded.best, last_day = excluded.last_day", _streaks.Count, i =>
            {
                var (key, count, best, lastDay) = _streaks[i];
                return $"(@user, {P(parameters, "sk", i, key)}, {P(parameters, "sc", i, count)}, {P(parameters, "sb", i, best)}, {P(parameters, "sl", i, lastDay)})";
            });
        Upsert(sql, "gam_scores (board, period_key, user_id, score, reached_ms, version)", "(board, period_key, user_id)",
            "score = excluded.score, reached_ms = excluded.reached_ms, version = excluded.version", _scores.Count, i =>
            {
                var (board, period, score, reachedMs, version) = _scores[i];
                return $"({P(parameters, "bk", i, board)}, {P(parameters, "bp", i, period)}, @user, {P(parameters, "bs", i, score)}, {P(parameters, "br", i, reachedMs)}, {P(parameters, "bv", i, version)})";
            });
        if (sql.Length > 0)
        {
            await tx.ExecuteAsync(sql.ToString(), parameters, ct);
        }
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

    private static string P<T>(DynamicParameters parameters, string prefix, int i, T value, DbType? type = null)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"{prefix}{i}");
        parameters.Add(name, value, type);
        return "@" + name;
    }
}
