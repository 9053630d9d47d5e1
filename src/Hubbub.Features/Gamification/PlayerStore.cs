using System.Collections.Concurrent;
using Hubbub.Features.Kit;
using Hubbub.Features.Kit.Users;
using Hubbub.Features.Kit.Webhooks;
using Hubbub.Storage;

namespace Hubbub.Features.Gamification;

/// <summary>Each user's gamification state: XP and level, achievement progress, quest progress per period, streaks.</summary>
internal static class PlayerStore
{
    /// <summary>
    /// The user's XP and level, creating the row on the first event; the row stays locked until the transaction ends
    /// (PostgreSQL: <c>ON CONFLICT DO UPDATE</c> locks it; SQLite: the transaction holds the write lock), so the
    /// events of one user are processed one after the other, also across nodes.
    /// </summary>
    /// <remarks>
    /// The same statement answers what the event needs besides: the definitions' version (<see cref="DefinitionCache"/>),
    /// the user's time zone and display name from the kit's directory, and, given the type of the app event the
    /// transaction raises later (<paramref name="raises"/>), whether a webhook subscribes to it (the raise's own read,
    /// a command of its own on the one writer, folded in here: <see cref="FeatureTransaction.NoWebhookSubscribers"/>).
    /// </remarks>
    public static ValueTask<LockedPlayer> LockAsync(DatabaseTransaction tx, string user, long now, string? raises, CancellationToken ct)
    {
        // Values in the order the text names them: @user, @now, then the patterns (@wp0…) of SubscribedSql.
        if (raises is null)
        {
            return tx.QuerySingleAsync(LockStatement.Values().Add(user).Add(now), ReadLocked, ct);
        }
        var patterns = WebhookStore.PatternsMatching(raises);
        var statement = LockStatementRaising.GetOrAdd(patterns.Count, static n => new Statement(LockSql($", {WebhookStore.SubscribedSql(n)} AS Subscribed")));
        var values = statement.Values().Add(user).Add(now);
        foreach (var pattern in patterns)
        {
            values.Add(pattern);
        }
        return tx.QuerySingleAsync(values, ReadLockedRaising, ct);
    }

    // By position (Statement): the hot statement of every event, run on the writer's compiled form with no parameter objects.
    private static readonly Statement LockStatement = new(LockSql(""));

    // By the count of the raised type's patterns (its dots + 2): made once each, not per event.
    private static readonly ConcurrentDictionary<int, Statement> LockStatementRaising = new();

    private static readonly Func<StatementRow, LockedPlayer> ReadLocked = static row => new LockedPlayer
    {
        Xp = row.GetInt64(0),
        Level = row.GetInt64(1),
        DefinitionsVersion = row.GetInt64(2),
        TimeZone = row.GetStringOrNull(3),
        Name = row.GetStringOrNull(4),
    };

    private static readonly Func<StatementRow, LockedPlayer> ReadLockedRaising = static row =>
    {
        var player = ReadLocked(row);
        player.Subscribed = row.GetInt64(5);
        return player;
    };

    private static string LockSql(string subscribed) =>
        $"""
        INSERT INTO gam_users (user_id, xp, level, created_ms, updated_ms) VALUES (@user, 0, 1, @now, @now)
        ON CONFLICT (user_id) DO UPDATE SET updated_ms = excluded.updated_ms
        RETURNING xp AS Xp, level AS Level, (SELECT version FROM gam_definitions_version WHERE id = 1) AS DefinitionsVersion,
            (SELECT time_zone FROM kit_users WHERE id = @user) AS TimeZone, (SELECT name FROM kit_users WHERE id = @user) AS Name{subscribed}
        """;

    /// <summary>An IANA time zone id as a zone (UTC when none is set or this machine does not know it).</summary>
    public static (TimeZoneInfo Zone, string Id) ZoneOf(string? id) =>
        id is not null && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? (zone, id) : (TimeZoneInfo.Utc, "UTC");

    public static Task<PlayerRow?> FindAsync(DatabaseTransaction tx, string user, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<PlayerRow>("SELECT xp AS Xp, level AS Level FROM gam_users WHERE user_id = @user", new { user }, ct);

    /// <summary>The user's IANA time zone from the kit's directory (UTC when none is set or this machine does not know it).</summary>
    public static async Task<(TimeZoneInfo Zone, string Id)> TimeZoneAsync(DatabaseTransaction tx, string user, CancellationToken ct) =>
        ZoneOf((await UserStore.FindAsync(tx, user, ct))?.TimeZone);

    public static async Task<List<(string Achievement, long UnlockedMs)>> UnlockedAsync(DatabaseTransaction tx, string user, CancellationToken ct) =>
        (await tx.QueryAsync<(string, long)>(
            "SELECT achievement, unlocked_ms FROM gam_achievement_progress WHERE user_id = @user AND unlocked_ms IS NOT NULL ORDER BY unlocked_ms DESC, achievement",
            new { user }, ct)).ToList();

    public static Task<QuestProgressRow?> QuestProgressAsync(DatabaseTransaction tx, string user, string quest, string period, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<QuestProgressRow>(
            "SELECT progress AS Progress, completed_ms AS DoneMs FROM gam_quest_progress WHERE user_id = @user AND quest = @quest AND period_key = @period",
            new { user, quest, period }, ct);

    public static async Task<List<StreakRow>> StreaksAsync(DatabaseTransaction tx, string user, CancellationToken ct) =>
        (await tx.QueryAsync<StreakRow>(
            "SELECT streak AS Streak, count AS Count, best AS Best, last_day AS LastDay FROM gam_streak_state WHERE user_id = @user",
            new { user }, ct)).ToList();
}

// Settable properties: SQLite returns every integer as 64-bit, which Dapper converts for properties only.

internal sealed class PlayerRow
{
    public long Xp { get; set; }
    public long Level { get; set; }
}

/// <summary>The locked player's row with the definitions' version and the user's directory entry.</summary>
internal sealed class LockedPlayer
{
    public long Xp { get; set; }
    public long Level { get; set; }
    public long DefinitionsVersion { get; set; }
    public string? TimeZone { get; set; }
    public string? Name { get; set; }

    /// <summary>Whether a webhook subscribes to the raised type (1 or 0; 1 when none was asked about).</summary>
    public long Subscribed { get; set; } = 1;
}

internal sealed class ProgressRow
{
    public double Progress { get; set; }
    public long? DoneMs { get; set; }
}

internal sealed class QuestProgressRow
{
    public long Progress { get; set; }
    public long? DoneMs { get; set; }
}

internal sealed class StreakRow
{
    public string Streak { get; set; } = "";
    public long Count { get; set; }
    public long Best { get; set; }
    public long LastDay { get; set; }
}
