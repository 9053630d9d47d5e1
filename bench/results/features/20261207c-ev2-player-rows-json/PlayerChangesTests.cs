using CsCheck;
using Dapper;
using Hubbub.Features.Gamification;
using Hubbub.Features.Kit;
using Hubbub.Features.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Hubbub.Features.Tests.Gamification;

/// <summary>
/// SQLite's write of an event's player rows, each table's rows one JSON parameter, stores what the write of one parameter
/// per value stores (PostgreSQL's, valid SQLite too): the same rows, the same values of the same SQLite types.
/// </summary>
public sealed class PlayerChangesTests(SqliteGame fixture) : IClassFixture<SqliteGame>
{
    private static readonly Gen<string> Key = Gen.String[Gen.Char["abcXYZ019_-.:é\"\\'"], 1, 12];

    private static readonly Gen<double> Number = Gen.OneOf(
        Gen.Int[-1000, 1000].Select(i => (double)i),
        Gen.Double[-1e9, 1e9],
        Gen.Double.Where(double.IsFinite));

    private static readonly Gen<long> Whole = Gen.OneOf(Gen.Long[-5, 5], Gen.Long);

    private static readonly Gen<long?> Done = Gen.OneOf(Gen.Const((long?)null), Whole.Select(v => (long?)v));

    private sealed record Changes(
        (long Xp, int Level)? Xp,
        (string Key, double Progress, long? DoneMs)[] Achievements,
        (string Key, string Period, long Progress, long? DoneMs)[] Quests,
        (string Key, long Count, long Best, long LastDay)[] Streaks,
        (string Board, string Period, double Score, long ReachedMs, long Version)[] Scores);

    // Keys distinct within a table, as an event's are.
    private static readonly Gen<Changes> OneEvent = Gen.Select(
        Gen.OneOf(Gen.Const(((long, int)?)null), Gen.Select(Whole, Gen.Int[1, 100]).Select((x, l) => ((long, int)?)(x, l))),
        Gen.Select(Key, Number, Done).Array[0, 6].Select(a => a.DistinctBy(r => r.Item1).ToArray()),
        Gen.Select(Key, Key, Whole, Done).Array[0, 6].Select(a => a.DistinctBy(r => (r.Item1, r.Item2)).ToArray()),
        Gen.Select(Key, Whole, Whole, Whole).Array[0, 6].Select(a => a.DistinctBy(r => r.Item1).ToArray()),
        Gen.Select(Key, Key, Number, Whole, Whole).Array[0, 6].Select(a => a.DistinctBy(r => (r.Item1, r.Item2)).ToArray()))
        .Select((x, a, q, s, b) => new Changes(x, a, q, s, b));

    [Fact]
    public async Task The_json_rows_store_what_the_parameters_stored()
    {
        var features = fixture.Chat.Server.Services.GetRequiredService<FeatureDatabase>();
        // Two events after each other: the second updates some of the first's rows (the upserts' conflict branch).
        await Gen.Select(OneEvent, OneEvent).SampleAsync(async (first, second) =>
        {
            var byParameters = Game.Fresh("pp");
            var byJson = Game.Fresh("pj");
            var (expected, actual) = await features.WriteAsync(async f =>
            {
                var tx = f.ToDatabaseTransaction();
                foreach (var (user, asJson) in new[] { (byParameters, false), (byJson, true) })
                {
                    await PlayerStore.LockAsync(tx, user, 1, CancellationToken.None);
                    foreach (var changes in new[] { first, second })
                    {
                        await Of(user, changes).WriteAsync(tx, asJson, CancellationToken.None);
                    }
                }
                return (await RowsAsync(tx, byParameters), await RowsAsync(tx, byJson));
            });
            Assert.Equal(expected, actual);
        }, iter: 60, threads: 1);
    }

    private static PlayerChanges Of(string user, Changes c)
    {
        var changes = new PlayerChanges(user);
        if (c.Xp is { } xp)
        {
            changes.Xp(xp.Xp, xp.Level);
        }
        foreach (var (key, progress, doneMs) in c.Achievements)
        {
            changes.Achievement(key, progress, doneMs);
        }
        foreach (var (key, period, progress, doneMs) in c.Quests)
        {
            changes.Quest(key, period, progress, doneMs);
        }
        foreach (var (key, count, best, lastDay) in c.Streaks)
        {
            changes.Streak(key, count, best, lastDay);
        }
        foreach (var (board, period, score, reachedMs, version) in c.Scores)
        {
            changes.Score(board, period, score, reachedMs, version);
        }
        return changes;
    }

    /// <summary>The user's rows of the five tables, each value with its SQLite type, the user's id left out.</summary>
    private static async Task<List<string>> RowsAsync(Hubbub.Storage.DatabaseTransaction tx, string user)
    {
        var rows = new List<string>();
        foreach (var sql in new[]
        {
            "SELECT 'u', typeof(xp), xp, typeof(level), level FROM gam_users WHERE user_id = @user",
            "SELECT 'a', achievement, typeof(progress), progress, typeof(unlocked_ms), unlocked_ms FROM gam_achievement_progress WHERE user_id = @user ORDER BY achievement",
            "SELECT 'q', quest, period_key, typeof(progress), progress, typeof(completed_ms), completed_ms FROM gam_quest_progress WHERE user_id = @user ORDER BY quest, period_key",
            "SELECT 's', streak, typeof(count), count, typeof(best), best, typeof(last_day), last_day FROM gam_streak_state WHERE user_id = @user ORDER BY streak",
            "SELECT 'b', board, period_key, typeof(score), score, typeof(reached_ms), reached_ms, typeof(version), version FROM gam_scores WHERE user_id = @user ORDER BY board, period_key",
        })
        {
            foreach (IDictionary<string, object?> row in await tx.QueryAsync<dynamic>(sql, new { user }))
            {
                // Doubles as their bits ("R" would print -0 and 0 alike only by chance): the same bits or not.
                rows.Add(string.Join("|", row.Values.Select(v => v is double d ? $"r{BitConverter.DoubleToInt64Bits(d)}" : $"{v?.GetType().Name}:{v}")));
            }
        }
        return rows;
    }
}
