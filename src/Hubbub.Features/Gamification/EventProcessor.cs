using System.Text.Json;
using Hubbub.Features.Gamification.Ranking;
using Hubbub.Features.Kit;
using Microsoft.Extensions.Options;
using static Hubbub.Features.Gamification.GamificationJsonContext;

namespace Hubbub.Features.Gamification;

/// <summary>One event to process: whose, of which type, its data object (or none) and when it happened.</summary>
internal sealed record GameEvent(string User, string Type, JsonElement? Data, DateTimeOffset Time);

/// <summary>
/// Everything one event causes, inside the caller's transaction: XP from its rule, achievement progress and unlocks,
/// quest progress in the user's local period, streaks on the user's local day, leaderboard scores and ranks, level-ups;
/// the live events on <c>user:{id}</c> through the outbox and the notifications of unlocks and level-ups. The user's
/// row is locked first, so one user's events are processed one after another; the definitions are read in the same
/// transaction, so a definition changed meanwhile applies to the next event, never half to this one.
/// </summary>
public sealed class EventProcessor(IOptions<GamificationOptions> options, LevelCurveSource curves, LeaderboardLive live, ILeaderboardIndex index)
{
    internal async Task<Effects> ProcessAsync(FeatureTransaction tx, GameEvent e, CancellationToken ct)
    {
        var curve = curves.Curve;
        var player = await PlayerStore.LockAsync(tx, e.User, tx.NowMs, ct);
        var definitions = await DefinitionStore.ForEventAsync(tx, e.Type, ct);
        var user = FeatureTransaction.UserChannel(e.User);
        long xp = 0;
        List<AchievementUnlocked> unlocked = [];
        List<QuestEffect> quests = [];
        List<QuestCompleted> completed = [];
        List<StreakEffect> streaks = [];
        List<LeaderboardView> boards = [];
        TimeZoneInfo? zone = null;

        foreach (var row in definitions)
        {
            switch (row.Kind)
            {
                case DefinitionStore.Rule:
                    xp += RuleXp(DefinitionService.Rules.Read(row), e.Data);
                    break;
                case DefinitionStore.Achievement:
                    var achievement = DefinitionService.Achievements.Read(row);
                    if (await AdvanceAchievementAsync(tx, e, achievement, ct))
                    {
                        xp += achievement.Xp;
                        unlocked.Add(new AchievementUnlocked(achievement.Key, achievement.Name, achievement.Rarity, achievement.Xp));
                    }
                    break;
                case DefinitionStore.Quest:
                    var quest = DefinitionService.Quests.Read(row);
                    zone ??= (await PlayerStore.TimeZoneAsync(tx, e.User, ct)).Zone;
                    var effect = await AdvanceQuestAsync(tx, e, quest, zone, ct);
                    if (effect.Completed)
                    {
                        xp += quest.Xp;
                        completed.Add(new QuestCompleted(quest.Key, quest.Name, quest.Xp));
                    }
                    quests.Add(effect);
                    break;
                case DefinitionStore.Streak:
                    zone ??= (await PlayerStore.TimeZoneAsync(tx, e.User, ct)).Zone;
                    if (await AdvanceStreakAsync(tx, e, DefinitionService.Streaks.Read(row), zone, ct) is { } streak)
                    {
                        streaks.Add(streak);
                    }
                    break;
                case DefinitionStore.Leaderboard:
                    boards.Add(DefinitionService.Leaderboards.Read(row)); // after the XP is known
                    break;
            }
        }

        var total = player.Xp + xp;
        var level = curve.LevelOf(total);
        if (xp > 0)
        {
            await PlayerStore.SetXpAsync(tx, e.User, total, level, ct);
        }
        List<RankEffect> ranks = [];
        foreach (var board in boards)
        {
            if (await ScoreAsync(tx, e, board, xp, total, ct) is { } rank)
            {
                ranks.Add(rank);
            }
        }

        // Live events in the order a client shows them, published after the commit.
        if (xp > 0)
        {
            await tx.PublishAsync(user, GamificationEvents.XpGained, new XpGained(xp, total, e.Type), Default.XpGained, ct);
        }
        foreach (var achievement in unlocked)
        {
            await tx.PublishAsync(user, GamificationEvents.AchievementUnlocked, achievement, Default.AchievementUnlocked, ct);
            await tx.NotifyAsync(e.User, GamificationEvents.AchievementUnlocked, achievement, Default.AchievementUnlocked, ct);
        }
        foreach (var quest in completed)
        {
            await tx.PublishAsync(user, GamificationEvents.QuestCompleted, quest, Default.QuestCompleted, ct);
        }
        foreach (var streak in streaks)
        {
            await tx.PublishAsync(user, GamificationEvents.StreakUpdated, new StreakUpdated(streak.Key, streak.Count), Default.StreakUpdated, ct);
        }
        if (level > player.Level)
        {
            var levelUp = new LevelUp(level, (int)player.Level);
            await tx.PublishAsync(user, GamificationEvents.LevelUp, levelUp, Default.LevelUp, ct);
            await tx.NotifyAsync(e.User, GamificationEvents.LevelUp, levelUp, Default.LevelUp, ct);
        }
        foreach (var rank in ranks.Where(r => r.Rank != r.PreviousRank))
        {
            await tx.PublishAsync(user, GamificationEvents.RankChanged, new RankChanged(rank.Key, rank.Rank, rank.PreviousRank), Default.RankChanged, ct);
        }
        var challenges = await ChallengeProgress.AdvanceAsync(tx, e, NumberOf, ct);
        return new Effects(xp, total, level, (int)player.Level, unlocked, quests, streaks, ranks, null, challenges);
    }

    /// <summary>XP of a rule: fixed, or <c>data[field]</c> × factor rounded down, capped at max (0 when the field is missing or not positive).</summary>
    private static long RuleXp(XpRuleView rule, JsonElement? data)
    {
        if (rule.Xp is { } fixedXp)
        {
            return fixedXp;
        }
        if (NumberOf(data, rule.Field!) is not { } value || value <= 0)
        {
            return 0;
        }
        var xp = Math.Floor(value * rule.Factor!.Value);
        var cap = rule.Max ?? DefinitionRules.MaxXp;
        return xp >= cap ? cap : (long)xp;
    }

    /// <summary>Adds the event to an achievement's progress; true when this event unlocked it (once per user, ever).</summary>
    private static async Task<bool> AdvanceAchievementAsync(FeatureTransaction tx, GameEvent e, AchievementView achievement, CancellationToken ct)
    {
        double amount = 1;
        if (achievement.Field is { } field)
        {
            if (NumberOf(e.Data, field) is not { } value || value <= 0)
            {
                return false;
            }
            amount = value;
        }
        var progress = await PlayerStore.AddAchievementProgressAsync(tx, e.User, achievement.Key, amount, ct);
        return progress.DoneMs is null && progress.Progress >= achievement.Threshold
            && await PlayerStore.UnlockAsync(tx, e.User, achievement.Key, tx.NowMs, ct);
    }

    private static async Task<QuestEffect> AdvanceQuestAsync(FeatureTransaction tx, GameEvent e, QuestView quest, TimeZoneInfo zone, CancellationToken ct)
    {
        var period = Periods.QuestKey(quest.Period, e.Time, zone);
        var progress = await PlayerStore.AddQuestProgressAsync(tx, e.User, quest.Key, period, ct);
        var completed = progress.DoneMs is null && progress.Progress >= quest.Count
            && await PlayerStore.CompleteQuestAsync(tx, e.User, quest.Key, period, tx.NowMs, ct);
        return new QuestEffect(quest.Key, quest.Name, Math.Min(progress.Progress, quest.Count), quest.Count, completed);
    }

    /// <summary>
    /// Extends a streak by the event's local day: the next day (or within the grace days after the last) adds one, a
    /// later day starts again at one, the same or an earlier day changes nothing (null then).
    /// </summary>
    private async Task<StreakEffect?> AdvanceStreakAsync(FeatureTransaction tx, GameEvent e, StreakView streak, TimeZoneInfo zone, CancellationToken ct)
    {
        var day = Periods.LocalDate(e.Time, zone).DayNumber;
        var state = await PlayerStore.StreakAsync(tx, e.User, streak.Key, ct);
        var grace = streak.GraceDays ?? options.Value.StreakGraceDays;
        long count;
        if (state is null)
        {
            count = 1;
        }
        else if (day <= state.LastDay)
        {
            return null;
        }
        else
        {
            count = day - state.LastDay <= 1 + grace ? state.Count + 1 : 1;
        }
        var best = Math.Max(count, state?.Best ?? 0);
        await PlayerStore.SetStreakAsync(tx, e.User, streak.Key, count, best, day, ct);
        return new StreakEffect(streak.Key, streak.Name, (int)count, (int)best);
    }

    /// <summary>
    /// Applies the event to a board: <c>incr</c> adds the value, <c>best</c> keeps the better of old and new (higher on
    /// <c>desc</c>, lower on <c>asc</c>), <c>set</c> replaces it. The value is the XP gained (the total, for <c>set</c>) on
    /// an XP board, 1 per event on an event board, <c>data[field]</c> on a field board. Null when the score did not change.
    /// </summary>
    private async Task<RankEffect?> ScoreAsync(FeatureTransaction tx, GameEvent e, LeaderboardView board, long xp, long total, CancellationToken ct)
    {
        var (type, field) = DefinitionRules.SourceOf(board.Source);
        double? value = type is null
            ? board.Operator == "set" ? total : xp > 0 ? xp : null
            : field is null ? 1 : NumberOf(e.Data, field);
        if (value is not { } v)
        {
            return null;
        }
        var ascending = board.Order == "asc";
        var period = Periods.BoardKey(board.Period, e.Time);
        var old = await ScoreStore.FindAsync(tx, board.Key, period, e.User, ct);
        var score = old is null ? v : board.Operator switch
        {
            "incr" => old.Score + v,
            "best" => ascending ? Math.Min(old.Score, v) : Math.Max(old.Score, v),
            _ => v,
        };
        if (old is not null && score == old.Score)
        {
            return null;
        }
        // The current period's ranks come from the ranked index (O(log n)), leaving the user's own entry out: it may lag
        // behind this transaction, and a score is never strictly better than itself. A late event for a past period
        // counts in the database.
        var current = period == Periods.BoardKey(board.Period, DateTimeOffset.FromUnixTimeMilliseconds(tx.NowMs));
        var slot = new BoardSlot(board.Key, period, ascending);
        Task<long> RankOf(double s) => current ? index.RankOfScoreAsync(slot, s, e.User, ct) : ScoreStore.RankOfAsync(tx, board.Key, period, s, ascending, ct);
        long? previous = old is null ? null : await RankOf(old.Score);
        var version = await ScoreStore.UpsertAsync(tx, board.Key, period, e.User, score, tx.NowMs, ct);
        var rank = await RankOf(score);
        var better = old is null || (ascending ? score < old.Score : score > old.Score);
        if (better && current)
        {
            // A passed user's rank now: the others strictly better than them, plus the passer's new score.
            await Overtaking.NotifyAsync(tx, board, period, e.User, old?.Score, score, options.Value.OvertakenLimit,
                async s => await index.RankOfScoreAsync(slot, s, e.User, ct) + 1, ct);
        }
        var reachedMs = tx.NowMs;
        tx.OnCommitted(() => live.Changed(board.Key, period, e.User, previous));
        if (current)
        {
            tx.OnCommitted(() => index.ApplyAsync(slot, new IndexedScore(e.User, score, reachedMs, version)));
        }
        return new RankEffect(board.Key, rank, previous, score);
    }

    /// <summary>A finite number at <c>data[field]</c>, or null.</summary>
    private static double? NumberOf(JsonElement? data, string field) =>
        data is { ValueKind: JsonValueKind.Object } d && d.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Number
            && v.TryGetDouble(out var n) && double.IsFinite(n)
            ? n
            : null;
}
