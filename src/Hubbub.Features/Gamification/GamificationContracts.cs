using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hubbub.Features.Gamification;

/// <summary>
/// <c>POST /api/events</c>: one event (<c>id</c>, <c>user</c>, <c>type</c>, optional <c>data</c> object and ISO-8601
/// <c>time</c>), or a batch of up to 100 as <c>events</c> (then nothing else).
/// </summary>
public sealed record EventRequest(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("user")] string? User,
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("data")] JsonElement? Data,
    [property: JsonPropertyName("time")] string? Time,
    [property: JsonPropertyName("events")] IReadOnlyList<EventRequest>? Events = null);

/// <summary>What one event caused (all of it in the event's one transaction).</summary>
/// <param name="Xp">XP gained by the event (its rule, plus achievements and quests it completed).</param>
/// <param name="TotalXp">The user's XP after it.</param>
/// <param name="Level">The user's level after it.</param>
/// <param name="PreviousLevel">The level before it.</param>
/// <param name="Achievements">Achievements it unlocked.</param>
/// <param name="Quests">Quests it advanced (with their progress in the current period).</param>
/// <param name="Streaks">Streaks it extended or started.</param>
/// <param name="Leaderboards">Boards whose score it changed.</param>
/// <param name="Activity">
/// The activity the social feed made of this event by its rule (reported as the outcome <c>activity</c> by a handler
/// run with the event's raise), or null when no rule made one.
/// </param>
/// <param name="Challenges">Joined challenges the event advanced (null in answers stored before challenges existed).</param>
public sealed record Effects(
    [property: JsonPropertyName("xp")] long Xp,
    [property: JsonPropertyName("total_xp")] long TotalXp,
    [property: JsonPropertyName("level")] int Level,
    [property: JsonPropertyName("previous_level")] int PreviousLevel,
    [property: JsonPropertyName("achievements")] IReadOnlyList<AchievementUnlocked> Achievements,
    [property: JsonPropertyName("quests")] IReadOnlyList<QuestEffect> Quests,
    [property: JsonPropertyName("streaks")] IReadOnlyList<StreakEffect> Streaks,
    [property: JsonPropertyName("leaderboards")] IReadOnlyList<RankEffect> Leaderboards,
    [property: JsonPropertyName("activity")] JsonElement? Activity,
    [property: JsonPropertyName("challenges")] IReadOnlyList<ChallengeEffect>? Challenges);

/// <summary>A quest the event advanced.</summary>
public sealed record QuestEffect(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("progress")] long Progress,
    [property: JsonPropertyName("count")] long Count,
    [property: JsonPropertyName("completed")] bool Completed);

/// <summary>A streak the event extended (or started).</summary>
public sealed record StreakEffect(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("count")] int Count,
    [property: JsonPropertyName("best")] int Best);

/// <summary>A board the event changed: the user's rank and score after it, and the rank before (null: not on it before).</summary>
public sealed record RankEffect(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("rank")] long Rank,
    [property: JsonPropertyName("previous_rank")] long? PreviousRank,
    [property: JsonPropertyName("score")] double Score);

/// <summary>The answer for one event; <c>duplicate</c> true when its id was seen before (the first answer, again).</summary>
public sealed record EventAnswer(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("duplicate")] bool Duplicate,
    [property: JsonPropertyName("effects")] Effects Effects);

/// <summary>The answer for a batch: one entry per event, in the order sent.</summary>
public sealed record BatchAnswer([property: JsonPropertyName("events")] IReadOnlyList<EventAnswer> Events);

/// <summary><c>GET /api/users/{id}/profile</c>.</summary>
public sealed record ProfileView(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("xp")] long Xp,
    [property: JsonPropertyName("level")] int Level,
    [property: JsonPropertyName("level_xp")] long LevelXp,
    [property: JsonPropertyName("next_level_xp")] long? NextLevelXp,
    [property: JsonPropertyName("timezone")] string TimeZone,
    [property: JsonPropertyName("achievements")] IReadOnlyList<ProfileAchievement> Achievements,
    [property: JsonPropertyName("streaks")] IReadOnlyList<ProfileStreak> Streaks,
    [property: JsonPropertyName("quests")] IReadOnlyList<ProfileQuest> Quests);

/// <summary>An achievement the user holds.</summary>
public sealed record ProfileAchievement(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("rarity")] string Rarity,
    [property: JsonPropertyName("xp")] long Xp,
    [property: JsonPropertyName("unlocked_at")] DateTime UnlockedAt);

/// <summary>A streak of the user: <c>count</c> is the current run (0 once broken), <c>last_day</c> the local date of its last day.</summary>
public sealed record ProfileStreak(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("count")] int Count,
    [property: JsonPropertyName("best")] int Best,
    [property: JsonPropertyName("last_day")] string? LastDay);

/// <summary>A quest in the user's current local period, and when that period ends.</summary>
public sealed record ProfileQuest(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("period")] string Period,
    [property: JsonPropertyName("progress")] long Progress,
    [property: JsonPropertyName("count")] long Count,
    [property: JsonPropertyName("xp")] long Xp,
    [property: JsonPropertyName("completed")] bool Completed,
    [property: JsonPropertyName("resets_at")] DateTime ResetsAt);

/// <summary>One row of a board: tied scores share a rank; who reached the score first is listed first.</summary>
public sealed record LeaderboardEntry(
    [property: JsonPropertyName("rank")] long Rank,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("score")] double Score)
{
    /// <summary>The row's place on the board (1-based, unique; ties have one rank but each its position): where the page after it starts.</summary>
    [JsonIgnore]
    internal long Position { get; init; }
}

/// <summary>
/// <c>GET /api/leaderboards/{key}</c>, <c>…/around/{user}</c> and <c>…/friends</c>; also the join state of
/// <c>leaderboard:{key}</c>. <c>next_cursor</c> is the <c>?cursor=</c> of the page after this one (null: the board ends
/// here; always null in the join state).
/// </summary>
public sealed record LeaderboardPage(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("period")] string Period,
    [property: JsonPropertyName("entries")] IReadOnlyList<LeaderboardEntry> Entries,
    [property: JsonPropertyName("resets_at")] DateTime? ResetsAt,
    [property: JsonPropertyName("next_cursor")] string? NextCursor = null);

/// <summary>A row that moved, in <c>leaderboard_change</c>.</summary>
public sealed record LeaderboardChangeEntry(
    [property: JsonPropertyName("rank")] long Rank,
    [property: JsonPropertyName("previous_rank")] long? PreviousRank,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("score")] double Score);

/// <summary><c>leaderboard_change</c> on <c>leaderboard:{key}</c>.</summary>
public sealed record LeaderboardChange(
    [property: JsonPropertyName("board")] string Board,
    [property: JsonPropertyName("period")] string Period,
    [property: JsonPropertyName("entries")] IReadOnlyList<LeaderboardChangeEntry> Entries);

/// <summary>A period a board has scores in: its key (<c>?period=</c>), whether it is the current one, when it ended.</summary>
public sealed record BoardPeriod(
    [property: JsonPropertyName("period")] string Period,
    [property: JsonPropertyName("current")] bool Current,
    [property: JsonPropertyName("ended_at")] DateTime? EndedAt);

/// <summary><c>GET /api/leaderboards/{key}/periods</c>: newest first.</summary>
public sealed record BoardPeriodList(
    [property: JsonPropertyName("board")] string Board,
    [property: JsonPropertyName("periods")] IReadOnlyList<BoardPeriod> Periods,
    [property: JsonPropertyName("next_cursor")] string? NextCursor);

/// <summary>
/// <c>leaderboard_reset</c> on <c>leaderboard:{key}</c> at a periodic board's reset: the period now shown (empty until
/// the first score), when it ends, and the ended period with its final top rows (<see cref="BoardResets"/>).
/// </summary>
public sealed record LeaderboardReset(
    [property: JsonPropertyName("board")] string Board,
    [property: JsonPropertyName("period")] string Period,
    [property: JsonPropertyName("resets_at")] DateTime ResetsAt,
    [property: JsonPropertyName("previous_period")] string PreviousPeriod,
    [property: JsonPropertyName("final")] IReadOnlyList<LeaderboardEntry> Final);

/// <summary><c>xp_gained</c> on <c>user:{id}</c>; <c>reason</c> is the event type.</summary>
public sealed record XpGained(
    [property: JsonPropertyName("amount")] long Amount,
    [property: JsonPropertyName("total")] long Total,
    [property: JsonPropertyName("reason")] string Reason);

/// <summary><c>level_up</c> on <c>user:{id}</c> (also a notification).</summary>
public sealed record LevelUp(
    [property: JsonPropertyName("level")] int Level,
    [property: JsonPropertyName("previous")] int Previous);

/// <summary><c>achievement_unlocked</c> on <c>user:{id}</c> (also a notification), and an entry of the effects.</summary>
public sealed record AchievementUnlocked(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("rarity")] string Rarity,
    [property: JsonPropertyName("xp")] long Xp);

/// <summary>
/// The domain event <c>achievement.unlocked</c>: whose unlock, and the achievement as <c>achievement_unlocked</c> shows it
/// but for its name, called <c>achievement</c> here, so an activity rule's <c>{name}</c> stays the user's display name.
/// </summary>
public sealed record AchievementDomainEvent(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("achievement")] string Achievement,
    [property: JsonPropertyName("rarity")] string Rarity,
    [property: JsonPropertyName("xp")] long Xp);

/// <summary>The domain event <c>level.up</c>: whose level-up, as <c>level_up</c> shows it.</summary>
public sealed record LevelDomainEvent(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("level")] int Level,
    [property: JsonPropertyName("previous")] int Previous);

/// <summary><c>quest_completed</c> on <c>user:{id}</c>.</summary>
public sealed record QuestCompleted(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("xp")] long Xp);

/// <summary><c>streak_updated</c> on <c>user:{id}</c>.</summary>
public sealed record StreakUpdated(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("count")] int Count);

/// <summary><c>rank_changed</c> on <c>user:{id}</c>.</summary>
public sealed record RankChanged(
    [property: JsonPropertyName("board")] string Board,
    [property: JsonPropertyName("rank")] long Rank,
    [property: JsonPropertyName("previous_rank")] long? PreviousRank);

/// <summary><c>overtaken</c> on <c>user:{id}</c> (also a notification): <c>by</c> (named <c>name</c>) passed the user, who is now at <c>rank</c>.</summary>
public sealed record Overtaken(
    [property: JsonPropertyName("board")] string Board,
    [property: JsonPropertyName("by")] string By,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("rank")] long Rank);

/// <summary>The <c>gamification.profile</c> and <c>leaderboard.*</c> commands' data.</summary>
public sealed record GamificationQuery(
    [property: JsonPropertyName("user")] string? User,
    [property: JsonPropertyName("board")] string? Board,
    [property: JsonPropertyName("limit")] int? Limit,
    [property: JsonPropertyName("period")] string? Period);

/// <summary>Source-generated JSON for the gamification API.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(EventRequest))]
[JsonSerializable(typeof(EventAnswer))]
[JsonSerializable(typeof(Effects))]
[JsonSerializable(typeof(BatchAnswer))]
[JsonSerializable(typeof(XpRuleRequest))]
[JsonSerializable(typeof(XpRuleView))]
[JsonSerializable(typeof(XpRuleList))]
[JsonSerializable(typeof(AchievementRequest))]
[JsonSerializable(typeof(AchievementView))]
[JsonSerializable(typeof(AchievementList))]
[JsonSerializable(typeof(QuestRequest))]
[JsonSerializable(typeof(QuestView))]
[JsonSerializable(typeof(QuestList))]
[JsonSerializable(typeof(StreakRequest))]
[JsonSerializable(typeof(StreakView))]
[JsonSerializable(typeof(StreakList))]
[JsonSerializable(typeof(LeaderboardRequest))]
[JsonSerializable(typeof(LeaderboardView))]
[JsonSerializable(typeof(LeaderboardList))]
[JsonSerializable(typeof(RulesFile))]
[JsonSerializable(typeof(LeaderboardReset))]
[JsonSerializable(typeof(BoardPeriodList))]
[JsonSerializable(typeof(LevelsRequest))]
[JsonSerializable(typeof(LevelsView))]
[JsonSerializable(typeof(ProfileView))]
[JsonSerializable(typeof(LeaderboardPage))]
[JsonSerializable(typeof(LeaderboardChange))]
[JsonSerializable(typeof(XpGained))]
[JsonSerializable(typeof(LevelUp))]
[JsonSerializable(typeof(LevelDomainEvent))]
[JsonSerializable(typeof(AchievementDomainEvent))]
[JsonSerializable(typeof(AchievementUnlocked))]
[JsonSerializable(typeof(QuestCompleted))]
[JsonSerializable(typeof(StreakUpdated))]
[JsonSerializable(typeof(RankChanged))]
[JsonSerializable(typeof(Overtaken))]
[JsonSerializable(typeof(GamificationQuery))]
public sealed partial class GamificationJsonContext : JsonSerializerContext;
