using System.Text.Json;
using Hubbub.Features.Gamification.Ranking;
using Hubbub.Features.Kit;
using Hubbub.Features.Kit.DomainEvents;
using Hubbub.Storage;
using Microsoft.Extensions.Options;
using static Hubbub.Features.Gamification.GamificationJsonContext;

namespace Hubbub.Features.Gamification;

/// <summary>One event to process: whose, of which type, its data object (or none) and when it happened.</summary>
internal sealed record GameEvent(string User, string Type, JsonElement? Data, DateTimeOffset Time);

/// <summary>
/// Everything one event causes, inside the caller's transaction: XP from its rule, achievement progress and unlocks,
/// quest progress in the user's local period, streaks on the user's local day, leaderboard scores and ranks, level-ups;
/// the live events on <c>user:{id}</c> through the outbox and the notifications of unlocks and level-ups. The user's
/// row is locked first, so one user's events are processed one after another; the definitions are those of the version
/// read with that row in the same transaction (<see cref="DefinitionCache"/>), so a definition changed meanwhile applies
/// to the next event, never half to this one. The statements of one event do not grow with the rules: one locks the
/// user's row, one reads every row of theirs the event may change (<see cref="PlayerState"/>), one command writes them
/// back, one query per board the user moved up finds whom they passed, and the publications and notifications are
/// written together (<see cref="PublicationBatch"/>).
/// </summary>
public sealed class EventProcessor(IOptions<GamificationOptions> options, LeaderboardLive live, ILeaderboardIndex index,
    DefinitionCache definitions, UncommittedScores uncommitted, ReachedClock reached)
{
    // raises: the type of the app event the caller raises after this in the same transaction, if any.
    internal async Task<Effects> ProcessAsync(FeatureTransaction tx, GameEvent e, CancellationToken ct, string? raises = null)
    {
        // The event's score changes count in the ranks read later in the same database transaction (UncommittedScores);
        // an event that fails is rolled back to its savepoint alone, so its changes stop counting too.
        List<Action> undo = [];
        try
        {
            return await ProcessAsync(tx, e, raises, undo, ct);
        }
        catch
        {
            for (var i = undo.Count - 1; i >= 0; i--)
            {
                undo[i]();
            }
            throw;
        }
    }

    private async Task<Effects> ProcessAsync(FeatureTransaction tx, GameEvent e, string? raises, List<Action> undo, CancellationToken ct)
    {
        var player = await PlayerStore.LockAsync(tx, e.User, tx.NowMs, raises, ct);
        if (raises is not null && player.Subscribed == 0)
        {
            tx.NoWebhookSubscribers(raises);
        }
        var set = await definitions.GetAsync(tx, player.DefinitionsVersion, ct);
        var curve = set.Curve;
        var defs = set.For(e.Type);
        var zone = defs.NeedsZone ? PlayerStore.ZoneOf(player.TimeZone).Zone : TimeZoneInfo.Utc;
        // Loops, not LINQ: this runs per event on SQLite's one writer, where each iterator and list is garbage to collect.
        var questPeriods = new string[defs.Quests.Count];
        var questKeys = new (string Quest, string Period)[defs.Quests.Count];
        for (var i = 0; i < questPeriods.Length; i++)
        {
            questPeriods[i] = Periods.QuestKey(defs.Quests[i].Period, e.Time, zone);
            questKeys[i] = (defs.Quests[i].Key, questPeriods[i]);
        }
        var boardPeriods = new string[defs.Boards.Count];
        var boardKeys = new (string Board, string Period)[defs.Boards.Count];
        for (var i = 0; i < boardPeriods.Length; i++)
        {
            boardPeriods[i] = Periods.BoardKey(defs.Boards[i].Period, e.Time);
            boardKeys[i] = (defs.Boards[i].Key, boardPeriods[i]);
        }
        var state = await PlayerState.ReadAsync(tx, e.User, defs.AchievementKeys, questKeys, defs.StreakKeys, boardKeys, ct);
        var changes = new PlayerChanges(e.User);
        var user = FeatureTransaction.UserChannel(e.User);

        long xp = 0;
        foreach (var rule in defs.Rules)
        {
            xp += RuleXp(rule, e.Data);
        }
        List<AchievementUnlocked> unlocked = [];
        foreach (var achievement in defs.Achievements)
        {
            if (AdvanceAchievement(e, achievement, state, changes, tx.NowMs))
            {
                xp += achievement.Xp;
                unlocked.Add(new AchievementUnlocked(achievement.Key, achievement.Name, achievement.Rarity, achievement.Xp));
            }
        }
        List<QuestEffect> quests = [];
        List<QuestCompleted> completed = [];
        for (var i = 0; i < defs.Quests.Count; i++)
        {
            var quest = defs.Quests[i];
            var effect = AdvanceQuest(quest, questPeriods[i], state, changes, tx.NowMs);
            if (effect.Completed)
            {
                xp += quest.Xp;
                completed.Add(new QuestCompleted(quest.Key, quest.Name, quest.Xp));
            }
            quests.Add(effect);
        }
        List<StreakEffect> streaks = [];
        foreach (var definition in defs.Streaks)
        {
            if (AdvanceStreak(e, definition, zone, state, changes) is { } streak)
            {
                streaks.Add(streak);
            }
        }

        var total = player.Xp + xp;
        var level = curve.LevelOf(total);
        if (xp > 0)
        {
            changes.Xp(total, level);
        }
        List<RankEffect> ranks = [];
        List<RankEffect> currentRanks = []; // the current period's: a late event's rank in a past period is not told live
        List<Pass> passes = [];
        for (var i = 0; i < defs.Boards.Count; i++)
        {
            if (await ScoreAsync(tx, e, defs.Boards[i], boardPeriods[i], xp, total, state, changes, passes, currentRanks, undo, ct) is { } rank)
            {
                ranks.Add(rank);
            }
        }
        await changes.WriteAsync(tx, ct);

        // Live events in the order a client shows them, published after the commit; the users passed on a board are told
        // first (other channels), then the user's own events, all written together.
        var batch = new PublicationBatch();
        await Overtaking.NotifyAsync(tx, index, uncommitted, batch, e.User, player.Name ?? e.User, passes, options.Value.OvertakenLimit,
            options.Value.OvertakenNotificationTopRank, ct);
        if (xp > 0)
        {
            batch.Publish(user, GamificationEvents.XpGained, new XpGained(xp, total, e.Type), Default.XpGained);
        }
        foreach (var achievement in unlocked)
        {
            batch.Publish(user, GamificationEvents.AchievementUnlocked, achievement, Default.AchievementUnlocked);
            batch.Notify(e.User, GamificationEvents.AchievementUnlocked, achievement, Default.AchievementUnlocked);
        }
        foreach (var quest in completed)
        {
            batch.Publish(user, GamificationEvents.QuestCompleted, quest, Default.QuestCompleted);
        }
        foreach (var streak in streaks)
        {
            batch.Publish(user, GamificationEvents.StreakUpdated, new StreakUpdated(streak.Key, streak.Count), Default.StreakUpdated);
        }
        if (level > player.Level)
        {
            var levelUp = new LevelUp(level, (int)player.Level);
            batch.Publish(user, GamificationEvents.LevelUp, levelUp, Default.LevelUp);
            batch.Notify(e.User, GamificationEvents.LevelUp, levelUp, Default.LevelUp);
        }
        foreach (var rank in currentRanks)
        {
            if (rank.Rank == rank.PreviousRank)
            {
                continue;
            }
            batch.Publish(user, GamificationEvents.RankChanged, new RankChanged(rank.Key, rank.Rank, rank.PreviousRank), Default.RankChanged);
        }
        await tx.PublishBatchAsync(batch, ct);
        await RaiseResultsAsync(tx, e.User, unlocked, level, (int)player.Level, ct);
        var challenges = set.HasChallenges(e.Type) ? await ChallengeProgress.AdvanceAsync(tx, e, NumberOf, reached, ct) : [];
        return new Effects(xp, total, level, (int)player.Level, unlocked, quests, streaks, ranks, null, challenges);
    }

    private static readonly DomainEventKind<AchievementDomainEvent> UnlockedKind = new(GamificationEvents.AchievementUnlockedEvent, Default.AchievementDomainEvent);
    private static readonly DomainEventKind<LevelDomainEvent> LevelUpKind = new(GamificationEvents.LevelUpEvent, Default.LevelDomainEvent);
    private static readonly string[] NotOwnRules = [GamificationService.HandlerName];

    /// <summary>
    /// Gamification's own results as domain events, in the event's transaction, for other features (FEATURES.md: level-ups
    /// and legendary unlocks can become feed activities by rule). Gamification's own handler skips them: an XP rule on
    /// them could chain level-ups without end, and an achievement's XP is its own reward.
    /// </summary>
    private static async Task RaiseResultsAsync(FeatureTransaction tx, string user, List<AchievementUnlocked> unlocked, int level, int previous,
        CancellationToken ct)
    {
        foreach (var a in unlocked)
        {
            await tx.RaiseAsync(UnlockedKind, new AchievementDomainEvent(user, a.Key, a.Name, a.Rarity, a.Xp), NotOwnRules, ct);
        }
        if (level > previous)
        {
            await tx.RaiseAsync(LevelUpKind, new LevelDomainEvent(user, level, previous), NotOwnRules, ct);
        }
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

    /// <summary>
    /// Adds the event to an achievement's progress: 1 for a count, <c>data[field]</c> for a sum (positive values), 1 for an
    /// event whose <c>data[field]</c> is at least <c>at_least</c>; true when this event unlocked it (once per user, ever).
    /// </summary>
    private static bool AdvanceAchievement(GameEvent e, AchievementView achievement, PlayerState state, PlayerChanges changes, long now)
    {
        double amount = 1;
        if (achievement.Field is { } field)
        {
            var number = NumberOf(e.Data, field);
            if (achievement.AtLeast is { } atLeast)
            {
                if (number is not { } n || n < atLeast)
                {
                    return false;
                }
            }
            else if (number is { } value && value > 0)
            {
                amount = value;
            }
            else
            {
                return false;
            }
        }
        var (progress, doneMs) = state.Achievements.GetValueOrDefault(achievement.Key);
        progress = Sums.Add(progress, amount);
        var unlocks = doneMs is null && progress >= achievement.Threshold;
        changes.Achievement(achievement.Key, progress, unlocks ? now : doneMs);
        return unlocks;
    }

    private static QuestEffect AdvanceQuest(QuestView quest, string period, PlayerState state, PlayerChanges changes, long now)
    {
        var (progress, doneMs) = state.Quests.GetValueOrDefault((quest.Key, period));
        progress++;
        var completes = doneMs is null && progress >= quest.Count;
        changes.Quest(quest.Key, period, progress, completes ? now : doneMs);
        return new QuestEffect(quest.Key, quest.Name, Math.Min(progress, quest.Count), quest.Count, completes);
    }

    /// <summary>
    /// Extends a streak by the event's local day: the next day (or within the grace days after the last) adds one, a
    /// later day starts again at one, the same or an earlier day changes nothing (null then).
    /// </summary>
    private StreakEffect? AdvanceStreak(GameEvent e, StreakView streak, TimeZoneInfo zone, PlayerState state, PlayerChanges changes)
    {
        var day = Periods.LocalDate(e.Time, zone).DayNumber;
        var grace = streak.GraceDays ?? options.Value.StreakGraceDays;
        long count;
        long best = 0;
        if (!state.Streaks.TryGetValue(streak.Key, out var old))
        {
            count = 1;
        }
        else if (day <= old.LastDay)
        {
            return null;
        }
        else
        {
            count = day - old.LastDay <= 1 + grace ? old.Count + 1 : 1;
            best = old.Best;
        }
        best = Math.Max(count, best);
        changes.Streak(streak.Key, count, best, day);
        return new StreakEffect(streak.Key, streak.Name, (int)count, (int)best);
    }

    /// <summary>
    /// Applies the event to a board: <c>incr</c> adds the value, <c>best</c> keeps the better of old and new (higher on
    /// <c>desc</c>, lower on <c>asc</c>), <c>set</c> replaces it. The value is the XP gained (the total, for <c>set</c>) on
    /// an XP board (only for an event that gave XP), 1 per event on an event board, <c>data[field]</c> on a field board.
    /// Null when the score did not change.
    /// </summary>
    private async Task<RankEffect?> ScoreAsync(FeatureTransaction tx, GameEvent e, LeaderboardView board, string period, long xp, long total,
        PlayerState state, PlayerChanges changes, List<Pass> passes, List<RankEffect> currentRanks, List<Action> undo, CancellationToken ct)
    {
        var (type, field) = DefinitionRules.SourceOf(board.Source);
        // An XP board hears only events that gave XP: one that gave none leaves it as it is (a user with no XP is no row
        // at 0), whatever its operator.
        double? value = type is null
            ? xp > 0 ? board.Operator == "set" ? total : xp : null
            : field is null ? 1 : NumberOf(e.Data, field);
        if (value is not { } v)
        {
            return null;
        }
        var ascending = board.Order == "asc";
        (double Score, long Version)? old = state.Scores.TryGetValue((board.Key, period), out var found) ? found : null;
        var score = old is null ? v : board.Operator switch
        {
            "incr" => Sums.Add(old.Value.Score, v),
            "best" => ascending ? Math.Min(old.Value.Score, v) : Math.Max(old.Value.Score, v),
            _ => v,
        };
        if (old is not null && score == old.Value.Score)
        {
            return null;
        }
        // The current period's ranks come from the ranked index (O(log n)), leaving the user's own entry out: it may lag
        // behind this transaction, and a score is never strictly better than itself. A late event for a past period
        // counts in the database.
        var current = period == Periods.BoardKey(board.Period, DateTimeOffset.FromUnixTimeMilliseconds(tx.NowMs));
        var slot = new BoardSlot(board.Key, period, ascending);
        // The user's own row never counts in their rank (not strictly better than itself), so the database's count
        // needs no write first. On the index, the previous and the new rank are one read (one round trip on Redis), and
        // for a better score the rank of the score just behind it too: the first passed user's, for Overtaking.
        var better = old is null || (ascending ? score < old.Value.Score : score > old.Value.Score);
        long? previous;
        long rank;
        long? behind = null;
        PassedRead? passed = null;
        if (current)
        {
            List<double> scores = old is null ? [score] : [old.Value.Score, score];
            if (better)
            {
                scores.Add(Overtaking.JustBehind(score, ascending));
            }
            // The index holds applied scores only: the other users' changes it may not hold yet (earlier events of this
            // transaction; on SQLite, of a group committed just before) go with the read, which counts each unless it
            // holds that version already, in the same state as its count, whatever applies land meanwhile. On SQLite,
            // whom a better score passed is read with its ranks (Overtaking), the same changes merged in.
            var pending = uncommitted.Pending(tx, slot, e.User);
            var behindLimit = better && tx.Db.Provider == DatabaseProvider.Sqlite && options.Value.OvertakenLimit > 0
                ? options.Value.OvertakenLimit + pending.Count + 1 // enough left after the passer's and the moved users'
                : 0;
            var read = await index.RanksAndBehindAsync(slot, scores, e.User, pending, score, behindLimit, ct);
            var ranks = read.Ranks;
            passed = read.Behind is { } entries && behindLimit > 0 ? new PassedRead(entries, UncommittedScores.MovedOf(pending)) : null;
            undo.Add(uncommitted.Record(tx, slot, e.User, score, (old?.Version ?? 0) + 1));
            (previous, rank) = old is null ? ((long?)null, ranks[0]) : (ranks[0], ranks[1]);
            behind = better ? ranks[^1] + 1 : null; // + 1: the user, left out of the count, is ahead of it now
        }
        else
        {
            previous = old is null ? null : await ScoreStore.RankOfAsync(tx, board.Key, period, old.Value.Score, ascending, ct);
            rank = await ScoreStore.RankOfAsync(tx, board.Key, period, score, ascending, ct);
        }
        var version = (old?.Version ?? 0) + 1;
        var reachedMs = reached.ForScore(board.Key, period, tx.NowMs);
        changes.Score(board.Key, period, score, reachedMs, version);
        if (behind is { } rankBehind)
        {
            passes.Add(new Pass(board, period, slot, old?.Score, score, rankBehind, passed));
        }
        var effect = new RankEffect(board.Key, rank, previous, score);
        if (current)
        {
            // Live only for the current period, the one leaderboard:{key} shows and a client reads rank_changed of: a late
            // event's move in a past period is in the answer's effects and the past period's reads, not on the channels.
            currentRanks.Add(effect);
            tx.OnCommitted(() => live.Changed(board.Key, period, e.User, previous, rank));
            var indexed = new IndexedScore(e.User, score, reachedMs, version);
            tx.OnCommitted(async () =>
            {
                await index.ApplyAsync(slot, indexed);
                uncommitted.Applied(slot, indexed);
            });
        }
        return effect;
    }

    /// <summary>
    /// The largest magnitude of a <c>data</c> number a rule counts: JavaScript's largest safe integer, so a score or a
    /// sum stays a number every client reads exactly, and no sum of such numbers overflows a double (which would make
    /// a score or progress infinite and unwritable as JSON).
    /// </summary>
    internal const double MaxCountedNumber = 9_007_199_254_740_991;

    /// <summary>The number at <c>data[field]</c> when it is within ±<see cref="MaxCountedNumber"/>, or null (ignored, as a missing field).</summary>
    private static double? NumberOf(JsonElement? data, string field) =>
        data is { ValueKind: JsonValueKind.Object } d && d.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Number
            && v.TryGetDouble(out var n) && Math.Abs(n) <= MaxCountedNumber
            ? n
            : null;
}
