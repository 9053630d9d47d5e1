namespace Hubbub.Features.Gamification;

/// <summary>The live events of gamification (FEATURES.md "Gamification"), all on <c>user:{id}</c> except <c>leaderboard_change</c>.</summary>
public static class GamificationEvents
{
    /// <summary><c>{amount, total, reason}</c>: XP gained by one event; reason is the event type.</summary>
    public const string XpGained = "xp_gained";
    /// <summary><c>{level, previous}</c>; also kept as a notification.</summary>
    public const string LevelUp = "level_up";
    /// <summary><c>{key, name, rarity, xp}</c>; also kept as a notification.</summary>
    public const string AchievementUnlocked = "achievement_unlocked";
    /// <summary><c>{key, name, xp}</c>.</summary>
    public const string QuestCompleted = "quest_completed";
    /// <summary><c>{key, count}</c>.</summary>
    public const string StreakUpdated = "streak_updated";
    /// <summary><c>{board, rank, previous_rank}</c>.</summary>
    public const string RankChanged = "rank_changed";
}
