namespace Hubbub.Features.Gamification;

/// <summary>The live events of gamification (FEATURES.md "Gamification"), all on <c>user:{id}</c> except those of <c>leaderboard:{key}</c> and <c>challenge:{id}</c>.</summary>
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
    /// <summary><c>{board, by, name, rank}</c>: someone passed the user on a board (bounded per pass); also kept as a notification.</summary>
    public const string Overtaken = "overtaken";

    /// <summary>
    /// On <c>leaderboard:{key}</c> at a periodic board's reset (the scheduler's job): <c>{board, period, resets_at,
    /// previous_period, final}</c>, the new period and the ended one's top rows.
    /// </summary>
    public const string LeaderboardReset = "leaderboard_reset";

    /// <summary>On <c>challenge:{id}</c>: <c>{challenge, user, name}</c>, a user joined.</summary>
    public const string ChallengeJoined = "challenge_joined";
    /// <summary>On <c>challenge:{id}</c>: <c>{challenge, user, name, progress, goal}</c>, a participant's progress after an event.</summary>
    public const string ChallengeUpdate = "challenge_update";
    /// <summary>On <c>challenge:{id}</c>: <c>{challenge, user, name}</c>, a participant reached the goal; also their notification.</summary>
    public const string ChallengeCompleted = "challenge_completed";
    /// <summary>On <c>challenge:{id}</c>: <c>{challenge, user, name}</c>, a participant left (before the end).</summary>
    public const string ChallengeLeft = "challenge_left";
    /// <summary>
    /// On <c>challenge:{id}</c> when <c>ends_at</c> passes (the scheduler's job): the final standings; also the notification
    /// of each participant (with their own rank).
    /// </summary>
    public const string ChallengeEnded = "challenge_ended";
    /// <summary>The domain event of a join (<see cref="ChallengeDomainEvent"/>), for rules and other features (the social feed).</summary>
    public const string ChallengeJoinedEvent = "challenge.joined";
    /// <summary>The domain event of a participant reaching a challenge's goal (<see cref="ChallengeDomainEvent"/>).</summary>
    public const string ChallengeCompletedEvent = "challenge.completed";
    /// <summary>The domain event of each participant when a challenge ends (<see cref="ChallengeResultDomainEvent"/>).</summary>
    public const string ChallengeEndedEvent = "challenge.ended";
    /// <summary>The domain event of each participant ranked first when a challenge ends (<see cref="ChallengeResultDomainEvent"/>).</summary>
    public const string ChallengeWonEvent = "challenge.won";
    /// <summary>The domain event of an unlock (<see cref="AchievementDomainEvent"/>), for other features (a legendary unlock in the social feed).</summary>
    public const string AchievementUnlockedEvent = "achievement.unlocked";
    /// <summary>The domain event of a level-up (<see cref="LevelDomainEvent"/>), for other features.</summary>
    public const string LevelUpEvent = "level.up";
}
