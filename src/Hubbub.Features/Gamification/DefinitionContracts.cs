using System.Text.Json.Serialization;

namespace Hubbub.Features.Gamification;

/// <summary><c>POST /api/rules</c>: XP per event of <c>type</c>, fixed (<c>xp</c>) or <c>data[field]</c> × <c>factor</c> (capped at <c>max</c>).</summary>
public sealed record XpRuleRequest(
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("xp")] long? Xp,
    [property: JsonPropertyName("field")] string? Field,
    [property: JsonPropertyName("factor")] double? Factor,
    [property: JsonPropertyName("max")] long? Max);

/// <summary>A stored XP rule (one per event type).</summary>
public sealed record XpRuleView(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("xp")] long? Xp,
    [property: JsonPropertyName("field")] string? Field,
    [property: JsonPropertyName("factor")] double? Factor,
    [property: JsonPropertyName("max")] long? Max,
    [property: JsonPropertyName("created_at")] DateTime CreatedAt);

/// <summary>
/// <c>POST /api/achievements</c>: unlocked when the count of <c>type</c> events (or the sum of <c>data[field]</c>) reaches
/// <c>threshold</c>; with <c>at_least</c>, the count of the events whose <c>data[field]</c> is at least that ("perfect score").
/// </summary>
public sealed record AchievementRequest(
    [property: JsonPropertyName("key")] string? Key,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("rarity")] string? Rarity,
    [property: JsonPropertyName("xp")] long? Xp,
    [property: JsonPropertyName("hidden")] bool? Hidden,
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("field")] string? Field,
    [property: JsonPropertyName("threshold")] double? Threshold,
    [property: JsonPropertyName("at_least")] double? AtLeast = null);

/// <summary>A stored achievement.</summary>
public sealed record AchievementView(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("rarity")] string Rarity,
    [property: JsonPropertyName("xp")] long Xp,
    [property: JsonPropertyName("hidden")] bool Hidden,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("field")] string? Field,
    [property: JsonPropertyName("threshold")] double Threshold,
    [property: JsonPropertyName("created_at")] DateTime CreatedAt,
    [property: JsonPropertyName("at_least")] double? AtLeast = null);

/// <summary>An achievement in <c>GET /api/achievements</c>: the definition, the share of known users who hold it, and whether the caller does.</summary>
public sealed record AchievementListing(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("rarity")] string Rarity,
    [property: JsonPropertyName("xp")] long Xp,
    [property: JsonPropertyName("hidden")] bool Hidden,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("field")] string? Field,
    [property: JsonPropertyName("threshold")] double Threshold,
    [property: JsonPropertyName("unlocked_percent")] double UnlockedPercent,
    [property: JsonPropertyName("unlocked")] bool Unlocked,
    [property: JsonPropertyName("unlocked_at")] DateTime? UnlockedAt,
    [property: JsonPropertyName("at_least")] double? AtLeast = null);

/// <summary><c>POST /api/quests</c>: <c>count</c> events of <c>type</c> within one local day or week give <c>xp</c>.</summary>
public sealed record QuestRequest(
    [property: JsonPropertyName("key")] string? Key,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("period")] string? Period,
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("count")] long? Count,
    [property: JsonPropertyName("xp")] long? Xp);

/// <summary>A stored quest.</summary>
public sealed record QuestView(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("period")] string Period,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("count")] long Count,
    [property: JsonPropertyName("xp")] long Xp,
    [property: JsonPropertyName("created_at")] DateTime CreatedAt);

/// <summary><c>POST /api/streaks</c>: consecutive local days with an event of <c>type</c>; <c>grace_days</c> (optional) days may be skipped.</summary>
public sealed record StreakRequest(
    [property: JsonPropertyName("key")] string? Key,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("grace_days")] int? GraceDays);

/// <summary>A stored streak definition; <c>grace_days</c> null means the configured default.</summary>
public sealed record StreakView(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("grace_days")] int? GraceDays,
    [property: JsonPropertyName("created_at")] DateTime CreatedAt);

/// <summary><c>POST /api/leaderboards</c>.</summary>
public sealed record LeaderboardRequest(
    [property: JsonPropertyName("key")] string? Key,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("source")] string? Source,
    [property: JsonPropertyName("operator")] string? Operator,
    [property: JsonPropertyName("period")] string? Period,
    [property: JsonPropertyName("order")] string? Order);

/// <summary>A stored leaderboard.</summary>
public sealed record LeaderboardView(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("operator")] string Operator,
    [property: JsonPropertyName("period")] string Period,
    [property: JsonPropertyName("order")] string Order,
    [property: JsonPropertyName("created_at")] DateTime CreatedAt);

/// <summary><c>GET /api/rules</c>.</summary>
public sealed record XpRuleList(
    [property: JsonPropertyName("rules")] IReadOnlyList<XpRuleView> Rules,
    [property: JsonPropertyName("next_cursor")] string? NextCursor = null);

/// <summary><c>GET /api/achievements</c>.</summary>
public sealed record AchievementList(
    [property: JsonPropertyName("achievements")] IReadOnlyList<AchievementListing> Achievements,
    [property: JsonPropertyName("next_cursor")] string? NextCursor = null);

/// <summary><c>GET /api/quests</c>.</summary>
public sealed record QuestList(
    [property: JsonPropertyName("quests")] IReadOnlyList<QuestView> Quests,
    [property: JsonPropertyName("next_cursor")] string? NextCursor = null);

/// <summary><c>GET /api/streaks</c>.</summary>
public sealed record StreakList(
    [property: JsonPropertyName("streaks")] IReadOnlyList<StreakView> Streaks,
    [property: JsonPropertyName("next_cursor")] string? NextCursor = null);

/// <summary><c>GET /api/leaderboards</c>.</summary>
public sealed record LeaderboardList(
    [property: JsonPropertyName("leaderboards")] IReadOnlyList<LeaderboardView> Leaderboards,
    [property: JsonPropertyName("next_cursor")] string? NextCursor = null);

/// <summary><c>POST /api/levels</c>: total XP needed for level 2, 3, … (positive, increasing; the last is the highest level).</summary>
public sealed record LevelsRequest(
    [property: JsonPropertyName("thresholds")] IReadOnlyList<long>? Thresholds);

/// <summary>
/// The level curve events use: the stored one (<c>source: "stored"</c>, with when it was stored) or, when none is stored,
/// the configured one (<c>Gamification:LevelThresholds</c> or the default; <c>source: "configuration"</c>).
/// </summary>
public sealed record LevelsView(
    [property: JsonPropertyName("thresholds")] IReadOnlyList<long> Thresholds,
    [property: JsonPropertyName("max_level")] int MaxLevel,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("created_at")] DateTime? CreatedAt);

/// <summary>
/// The rules file (<c>Gamification:RulesFile</c>): every list optional, each item as its <c>POST</c> takes it. A section
/// of another name (a misspelt <c>achievments</c>) stops the start naming it rather than being skipped while the log says
/// the file was stored. <c>levels</c> is one object (the curve), not a list; each of <c>challenges</c> needs a
/// <c>key</c> and is created once (an existing one is left as it is, an ended one not created).
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RulesFile(
    [property: JsonPropertyName("rules")] IReadOnlyList<XpRuleRequest>? Rules,
    [property: JsonPropertyName("achievements")] IReadOnlyList<AchievementRequest>? Achievements,
    [property: JsonPropertyName("quests")] IReadOnlyList<QuestRequest>? Quests,
    [property: JsonPropertyName("streaks")] IReadOnlyList<StreakRequest>? Streaks,
    [property: JsonPropertyName("leaderboards")] IReadOnlyList<LeaderboardRequest>? Leaderboards,
    [property: JsonPropertyName("levels")] LevelsRequest? Levels = null,
    [property: JsonPropertyName("challenges")] IReadOnlyList<ChallengeRequest>? Challenges = null);

/// <summary>
/// A leaderboard of the rules file not applied at start: the stored board with its key has scores and another
/// <paramref name="Fields"/> (<c>source</c>, <c>operator</c> or both), so it is kept as stored.
/// </summary>
public sealed record KeptBoard(string Key, string Fields, string Stored, string File);
