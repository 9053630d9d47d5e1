using Hubbub.Storage;

namespace Hubbub.Features.Gamification;

/// <summary>The definitions' SQL: one row per definition, its JSON as validated, keyed by kind and key.</summary>
internal static class DefinitionStore
{
    public const string Rule = "rule";
    public const string Achievement = "achievement";
    public const string Quest = "quest";
    public const string Streak = "streak";
    public const string Leaderboard = "leaderboard";

    /// <summary>The stored level curve: one row of this kind, key <see cref="LevelsKey"/>.</summary>
    public const string Levels = "levels";
    public const string LevelsKey = "curve";

    /// <summary>Stores a definition, replacing the one of its key.</summary>
    public static Task UpsertAsync(DatabaseTransaction tx, DefinitionRow row, CancellationToken ct) =>
        tx.ExecuteAsync(
            """
            INSERT INTO gam_definitions (kind, def_key, event_type, data, created_ms) VALUES (@Kind, @Key, @EventType, @Data, @CreatedMs)
            ON CONFLICT (kind, def_key) DO UPDATE SET event_type = excluded.event_type, data = excluded.data, created_ms = excluded.created_ms
            """, row, ct);

    /// <summary>Replaces an existing definition; false when there is none.</summary>
    public static async Task<bool> ReplaceAsync(DatabaseTransaction tx, DefinitionRow row, CancellationToken ct) =>
        await tx.ExecuteAsync("UPDATE gam_definitions SET event_type = @EventType, data = @Data, created_ms = @CreatedMs WHERE kind = @Kind AND def_key = @Key", row, ct) == 1;

    public static async Task<bool> DeleteAsync(DatabaseTransaction tx, string kind, string key, CancellationToken ct) =>
        await tx.ExecuteAsync("DELETE FROM gam_definitions WHERE kind = @kind AND def_key = @key", new { kind, key }, ct) == 1;

    /// <summary>Deletes what a definition kept per user (none for an XP rule or the level curve).</summary>
    public static Task DeleteStateAsync(DatabaseTransaction tx, string kind, string key, CancellationToken ct) => kind switch
    {
        Achievement => tx.ExecuteAsync("DELETE FROM gam_achievement_progress WHERE achievement = @key", new { key }, ct),
        Quest => tx.ExecuteAsync("DELETE FROM gam_quest_progress WHERE quest = @key", new { key }, ct),
        Streak => tx.ExecuteAsync("DELETE FROM gam_streak_state WHERE streak = @key", new { key }, ct),
        Leaderboard => tx.ExecuteAsync("DELETE FROM gam_scores WHERE board = @key", new { key }, ct),
        _ => Task.CompletedTask,
    };

    /// <summary>Whether a board has a score in any period.</summary>
    public static async Task<bool> HasScoresAsync(DatabaseTransaction tx, string board, CancellationToken ct) =>
        await tx.QuerySingleOrDefaultAsync<long?>("SELECT 1 FROM gam_scores WHERE board = @board LIMIT 1", new { board }, ct) is not null;

    public static Task<long> CountAsync(DatabaseTransaction tx, string kind, CancellationToken ct) =>
        tx.QuerySingleAsync<long>("SELECT COUNT(*) FROM gam_definitions WHERE kind = @kind", new { kind }, ct);

    public static async Task<List<DefinitionRow>> ListAsync(DatabaseTransaction tx, string kind, CancellationToken ct) =>
        (await tx.QueryAsync<DefinitionRow>($"SELECT {Columns} FROM gam_definitions WHERE kind = @kind ORDER BY def_key", new { kind }, ct)).ToList();

    public static Task<DefinitionRow?> FindAsync(DatabaseTransaction tx, string kind, string key, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<DefinitionRow>($"SELECT {Columns} FROM gam_definitions WHERE kind = @kind AND def_key = @key", new { kind, key }, ct);

    /// <summary>Every definition an event of <paramref name="type"/> may touch: those of its type, and the boards fed by XP.</summary>
    public static async Task<List<DefinitionRow>> ForEventAsync(DatabaseTransaction tx, string type, CancellationToken ct) =>
        (await tx.QueryAsync<DefinitionRow>(
            $"""
            SELECT {Columns} FROM gam_definitions
            WHERE event_type = @type OR (kind = '{Leaderboard}' AND event_type IS NULL) ORDER BY kind, def_key
            """, new { type }, ct)).ToList();

    /// <summary>
    /// Marks the definitions changed (in the changing transaction): every node's <see cref="DefinitionCache"/> reloads them
    /// for the next event it processes. Challenges count too (an event of their type then looks up the user's challenges).
    /// </summary>
    public static Task BumpVersionAsync(DatabaseTransaction tx, CancellationToken ct) =>
        tx.ExecuteAsync("UPDATE gam_definitions_version SET version = version + 1 WHERE id = 1", null, ct);

    /// <summary>Every definition, by kind and key.</summary>
    public static async Task<List<DefinitionRow>> AllAsync(DatabaseTransaction tx, CancellationToken ct) =>
        (await tx.QueryAsync<DefinitionRow>($"SELECT {Columns} FROM gam_definitions ORDER BY kind, def_key", null, ct)).ToList();

    /// <summary>The event types some challenge counts (past, current or future).</summary>
    public static async Task<List<string>> ChallengeTypesAsync(DatabaseTransaction tx, CancellationToken ct) =>
        (await tx.QueryAsync<string>("SELECT DISTINCT event_type FROM gam_challenges", null, ct)).ToList();

    private const string Columns = "kind AS Kind, def_key AS Key, event_type AS EventType, data AS Data, created_ms AS CreatedMs";
}

/// <summary>A stored definition.</summary>
internal sealed class DefinitionRow
{
    public string Kind { get; set; } = "";
    public string Key { get; set; } = "";
    public string? EventType { get; set; }
    public string Data { get; set; } = "";
    public long CreatedMs { get; set; }
}
