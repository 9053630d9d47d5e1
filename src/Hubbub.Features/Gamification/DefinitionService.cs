using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Hubbub.Core;
using Hubbub.Features.Kit;
using Hubbub.Protocol;
using Hubbub.Storage;
using Microsoft.Extensions.Options;
using static Hubbub.Features.Gamification.GamificationJsonContext;

namespace Hubbub.Features.Gamification;

/// <summary>
/// The definitions (XP rules, achievements, quests, streaks, leaderboards, the level curve): validated whole before one row is written
/// (<see cref="DefinitionRules"/>), stored in the database, listed, replaced and removed. Events read them inside their
/// own transaction, so a change applies to the events processed after it commits and never to earlier ones.
/// </summary>
public sealed class DefinitionService(FeatureDatabase database, IOptions<GamificationOptions> options, TimeProvider time, LevelCurveSource configuredLevels,
    Ranking.ILeaderboardIndex index)
{
    internal static readonly DefinitionKind<XpRuleRequest, XpRuleView> Rules =
        new(DefinitionStore.Rule, "rules", Default.XpRuleView, DefinitionRules.Rule, v => v.Type, v => v.Type, (r, key) => r with { Type = r.Type ?? key });

    internal static readonly DefinitionKind<AchievementRequest, AchievementView> Achievements =
        new(DefinitionStore.Achievement, "achievements", Default.AchievementView, DefinitionRules.Achievement, v => v.Key, v => v.Type,
            (r, key) => r with { Key = r.Key ?? key });

    internal static readonly DefinitionKind<QuestRequest, QuestView> Quests =
        new(DefinitionStore.Quest, "quests", Default.QuestView, DefinitionRules.Quest, v => v.Key, v => v.Type, (r, key) => r with { Key = r.Key ?? key });

    internal static readonly DefinitionKind<StreakRequest, StreakView> Streaks =
        new(DefinitionStore.Streak, "streaks", Default.StreakView, DefinitionRules.Streak, v => v.Key, v => v.Type, (r, key) => r with { Key = r.Key ?? key });

    internal static readonly DefinitionKind<LeaderboardRequest, LeaderboardView> Leaderboards =
        new(DefinitionStore.Leaderboard, "leaderboards", Default.LeaderboardView, DefinitionRules.Leaderboard, v => v.Key,
            v => DefinitionRules.SourceOf(v.Source).Type, (r, key) => r with { Key = r.Key ?? key });

    /// <summary>
    /// Stores a definition, replacing the one of its key if there is one (an XP rule's key is its event type): a deployment
    /// that posts its rules again, or posts a changed one, ends with what it posted. A new key past
    /// <c>Gamification:MaxDefinitions</c> of its kind is <c>too_large</c>.
    /// </summary>
    internal async Task<TView> CreateAsync<TRequest, TView>(DefinitionKind<TRequest, TView> kind, TRequest request, CancellationToken ct)
    {
        var view = kind.Validate(request, Now());
        var row = kind.Row(view, time.GetUtcNow().ToUnixTimeMilliseconds());
        await database.WriteAsync(async tx =>
        {
            await StoringAsync(tx, view, ct);
            if (!await DefinitionStore.ReplaceAsync(tx, row, ct))
            {
                if (await DefinitionStore.CountAsync(tx, kind.Name, ct) >= options.Value.MaxDefinitions)
                {
                    throw HubbubException.TooLarge($"at most {options.Value.MaxDefinitions} {kind.Plural} may be defined");
                }
                await DefinitionStore.UpsertAsync(tx, row, ct); // upsert: another node may have inserted the key meanwhile
            }
            await StoredAsync(tx, view, ct);
        }, ct);
        return view;
    }

    /// <summary>Replaces the definition <paramref name="key"/> (the body's key, if any, must be the same); unknown is <c>not_found</c>.</summary>
    internal async Task<TView> ReplaceAsync<TRequest, TView>(DefinitionKind<TRequest, TView> kind, string key, TRequest request, CancellationToken ct)
    {
        var view = kind.Validate(kind.WithKey(request, key), Now());
        var row = kind.Row(view, time.GetUtcNow().ToUnixTimeMilliseconds());
        if (row.Key != key)
        {
            throw HubbubException.BadRequest($"the body names '{row.Key}' but the path '{key}'");
        }
        await database.WriteAsync(async tx =>
        {
            await StoringAsync(tx, view, ct);
            if (!await DefinitionStore.ReplaceAsync(tx, row, ct))
            {
                throw NotFound(kind, key);
            }
            await StoredAsync(tx, view, ct);
        }, ct);
        return view;
    }

    /// <summary>
    /// What a definition about to replace the stored one of its key must respect, for a POST of a taken key as for a
    /// PUT: a board with scores keeps its source and operator.
    /// </summary>
    private static async Task StoringAsync<TView>(FeatureTransaction tx, TView view, CancellationToken ct)
    {
        if (view is LeaderboardView board)
        {
            await CheckBoardChangeAsync(tx, board, ct);
        }
    }

    /// <summary>What follows a stored definition in its transaction: every node's cache reloads; a board's reset is (re)scheduled.</summary>
    private static async Task StoredAsync<TView>(FeatureTransaction tx, TView view, CancellationToken ct)
    {
        await DefinitionStore.BumpVersionAsync(tx, ct);
        if (view is LeaderboardView board)
        {
            await BoardResets.ScheduleAsync(tx, board, ct);
        }
    }

    /// <summary>
    /// Removes a definition with what it kept per user (an achievement's progress and unlocks, a quest's progress, a
    /// streak's state, a board's scores of every period), so one created again under the key starts afresh rather than
    /// inheriting them (a board of another source would list scores of other units). XP it gave stays given.
    /// </summary>
    internal async Task DeleteAsync<TRequest, TView>(DefinitionKind<TRequest, TView> kind, string key, CancellationToken ct)
    {
        LeaderboardView? removedBoard = null;
        await database.WriteAsync(async tx =>
        {
            var row = await DefinitionStore.FindAsync(tx, kind.Name, key, ct);
            if (row is null || !await DefinitionStore.DeleteAsync(tx, kind.Name, key, ct))
            {
                throw NotFound(kind, key);
            }
            await DefinitionStore.BumpVersionAsync(tx, ct);
            await DefinitionStore.DeleteStateAsync(tx, kind.Name, key, ct);
            if (kind.Name == DefinitionStore.Leaderboard)
            {
                await BoardResets.CancelAsync(tx, key, ct);
                removedBoard = Leaderboards.Read(row);
            }
        }, ct);
        if (removedBoard is { } board)
        {
            // The ranked index of its current period (in memory, or shared in Redis) is rebuilt from the database at
            // its next use: empty, if the key is created again.
            var period = Periods.BoardKey(board.Period, time.GetUtcNow());
            await index.InvalidateAsync(new Ranking.BoardSlot(board.Key, period, board.Order == "asc"), ct);
        }
    }

    /// <summary>
    /// A board whose scores mean one thing cannot be made to mean another: changing the <c>source</c> or <c>operator</c> of
    /// a board with scores is a <c>conflict</c> (<c>board_has_scores</c>): delete it and create it again. Its name,
    /// period and order may change (the scores stay what they are; the order only reads them the other way).
    /// </summary>
    private static async Task CheckBoardChangeAsync(FeatureTransaction tx, LeaderboardView board, CancellationToken ct)
    {
        if (await ScoredBoardChangeAsync(tx, board, ct) is not null)
        {
            throw new HubbubException(ErrorCodes.Conflict, "board_has_scores",
                $"leaderboard '{board.Key}' has scores, so its 'source' and 'operator' stay as they are: delete it and create it again to change them");
        }
    }

    /// <summary>What <paramref name="board"/> would change of a stored board with scores (its source or operator), or null.</summary>
    private static async Task<KeptBoard?> ScoredBoardChangeAsync(FeatureTransaction tx, LeaderboardView board, CancellationToken ct)
    {
        if (await DefinitionStore.FindAsync(tx, DefinitionStore.Leaderboard, board.Key, ct) is not { } row)
        {
            return null;
        }
        var stored = Leaderboards.Read(row);
        var fields = new List<string>(2);
        if (stored.Source != board.Source)
        {
            fields.Add("source");
        }
        if (stored.Operator != board.Operator)
        {
            fields.Add("operator");
        }
        return fields.Count > 0 && await DefinitionStore.HasScoresAsync(tx, board.Key, ct)
            ? new KeptBoard(board.Key, string.Join(" and ", fields),
                $"source '{stored.Source}', operator '{stored.Operator}'", $"source '{board.Source}', operator '{board.Operator}'")
            : null;
    }

    /// <summary>Every definition of a kind, by key.</summary>
    internal async Task<List<TView>> ListAsync<TRequest, TView>(DefinitionKind<TRequest, TView> kind, CancellationToken ct) =>
        (await database.ReadAsync(tx => DefinitionStore.ListAsync(tx, kind.Name, ct), ct)).Select(kind.Read).ToList();

    /// <summary>One definition, or <c>not_found</c>.</summary>
    internal async Task<TView> GetAsync<TRequest, TView>(DefinitionKind<TRequest, TView> kind, string key, CancellationToken ct) =>
        kind.Read(await database.ReadAsync(tx => DefinitionStore.FindAsync(tx, kind.Name, key, ct), ct) ?? throw NotFound(kind, key));

    /// <summary>The level curve events use now: the stored one, or the configured one when none is stored.</summary>
    public async Task<LevelsView> LevelsAsync(CancellationToken ct) =>
        await database.ReadAsync(tx => DefinitionStore.FindAsync(tx, DefinitionStore.Levels, DefinitionStore.LevelsKey, ct), ct) is { } row
            ? LevelsOf(row)
            : new LevelsView(configuredLevels.Curve.Thresholds, configuredLevels.Curve.MaxLevel, LevelSources.Configuration, null);

    /// <summary>
    /// Stores a level curve for the events processed after it commits (on every node). XP is kept; a user's level is
    /// what the curve in force gives their XP (<see cref="LevelCurveSource"/>).
    /// </summary>
    public async Task<LevelsView> StoreLevelsAsync(LevelsRequest request, CancellationToken ct)
    {
        var row = LevelsRow(request, time.GetUtcNow().ToUnixTimeMilliseconds());
        await database.WriteAsync(async tx =>
        {
            await DefinitionStore.UpsertAsync(tx, row, ct);
            await DefinitionStore.BumpVersionAsync(tx, ct);
        }, ct);
        return LevelsOf(row);
    }

    /// <summary>Removes the stored level curve, so events use the configured one again; none stored is <c>not_found</c>.</summary>
    public Task RemoveLevelsAsync(CancellationToken ct) =>
        database.WriteAsync(async tx =>
        {
            if (!await DefinitionStore.DeleteAsync(tx, DefinitionStore.Levels, DefinitionStore.LevelsKey, ct))
            {
                throw HubbubException.NotFound("no level curve is stored (events use the configured one)");
            }
            await DefinitionStore.BumpVersionAsync(tx, ct);
        }, ct);

    internal static LevelCurve CurveOf(DefinitionRow row) => new(JsonSerializer.Deserialize(row.Data, Default.LevelsRequest)!.Thresholds!);

    private static DefinitionRow LevelsRow(LevelsRequest request, long ms) => new()
    {
        Kind = DefinitionStore.Levels,
        Key = DefinitionStore.LevelsKey,
        EventType = null,
        Data = JsonSerializer.Serialize(new LevelsRequest(DefinitionRules.Levels(request)), Default.LevelsRequest),
        CreatedMs = ms,
    };

    private static LevelsView LevelsOf(DefinitionRow row)
    {
        var curve = CurveOf(row);
        return new LevelsView(curve.Thresholds, curve.MaxLevel, LevelSources.Stored, DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedMs).UtcDateTime);
    }

    /// <summary>
    /// The achievements with the share of known users (anyone with gamification state) who hold each, and whether
    /// <paramref name="viewer"/> does. Hidden ones are left out unless the viewer holds them or <paramref name="seesAll"/>.
    /// </summary>
    public Task<AchievementList> ListAchievementsAsync(string? viewer, bool seesAll, CancellationToken ct) =>
        database.ReadAsync(async tx =>
        {
            var all = (await DefinitionStore.ListAsync(tx, DefinitionStore.Achievement, ct)).Select(Achievements.Read).ToList();
            var users = await tx.QuerySingleAsync<long>("SELECT COUNT(*) FROM gam_users", null, ct);
            var holders = (await tx.QueryAsync<(string Achievement, long Holders)>(
                    "SELECT achievement, COUNT(*) FROM gam_achievement_progress WHERE unlocked_ms IS NOT NULL GROUP BY achievement", null, ct))
                .ToDictionary(h => h.Achievement, h => h.Holders, StringComparer.Ordinal);
            var mine = viewer is null ? [] : (await tx.QueryAsync<(string Achievement, long UnlockedMs)>(
                    "SELECT achievement, unlocked_ms FROM gam_achievement_progress WHERE user_id = @viewer AND unlocked_ms IS NOT NULL",
                    new { viewer }, ct))
                .ToDictionary(h => h.Achievement, h => h.UnlockedMs, StringComparer.Ordinal);
            return new AchievementList(all
                .Where(a => !a.Hidden || seesAll || mine.ContainsKey(a.Key))
                .Select(a => new AchievementListing(a.Key, a.Name, a.Description, a.Rarity, a.Xp, a.Hidden, a.Type, a.Field, a.Threshold,
                    users == 0 ? 0 : Math.Round(100.0 * holders.GetValueOrDefault(a.Key) / users, 1),
                    mine.ContainsKey(a.Key),
                    mine.TryGetValue(a.Key, out var at) ? DateTimeOffset.FromUnixTimeMilliseconds(at).UtcDateTime : null, a.AtLeast))
                .ToList());
        }, ct);

    /// <summary>
    /// Stores every definition of a rules file in one transaction, each replacing the stored one of its key; the whole
    /// file is validated first, so an invalid one stores nothing (and names the entry at fault). One exception: a stored
    /// leaderboard with scores whose <c>source</c> or <c>operator</c> the file changes is kept as stored (the API refuses
    /// that change with <c>board_has_scores</c>: the scores would silently mean something else), and returned, so the
    /// start can warn naming the board and the field.
    /// </summary>
    public async Task<IReadOnlyList<KeptBoard>> SeedAsync(RulesFile file, CancellationToken ct)
    {
        var now = Now();
        var ms = time.GetUtcNow().ToUnixTimeMilliseconds();
        var rows = new List<DefinitionRow>();
        Collect(rows, Rules, file.Rules, now, ms);
        Collect(rows, Achievements, file.Achievements, now, ms);
        Collect(rows, Quests, file.Quests, now, ms);
        Collect(rows, Streaks, file.Streaks, now, ms);
        Collect(rows, Leaderboards, file.Leaderboards, now, ms);
        if (file.Levels is { } levels)
        {
            try
            {
                rows.Add(LevelsRow(levels, ms));
            }
            catch (HubbubException ex)
            {
                throw HubbubException.BadRequest($"levels: {ex.Message}");
            }
        }
        var challenges = CheckChallenges(file.Challenges);
        var duplicate = rows.Concat(challenges.Select(c => new DefinitionRow { Kind = "challenge", Key = c.Key! }))
            .GroupBy(r => (r.Kind, r.Key)).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw HubbubException.BadRequest($"the rules file defines {duplicate.Key.Kind} '{duplicate.Key.Key}' twice");
        }
        var kept = new List<KeptBoard>();
        await database.WriteAsync(async tx =>
        {
            kept.Clear(); // a transaction run again starts over
            var applied = new List<LeaderboardView>();
            foreach (var row in rows)
            {
                if (row.Kind == DefinitionStore.Leaderboard)
                {
                    var board = Leaderboards.Read(row);
                    if (await ScoredBoardChangeAsync(tx, board, ct) is { } keep)
                    {
                        kept.Add(keep);
                        continue;
                    }
                    applied.Add(board);
                }
                await DefinitionStore.UpsertAsync(tx, row, ct);
            }
            await DefinitionStore.BumpVersionAsync(tx, ct);
            foreach (var board in applied)
            {
                await BoardResets.ScheduleAsync(tx, board, ct);
            }
            // A challenge is created once (by its key) and only while it can be taken part in: the file stays valid
            // as its challenges end, and a restart neither repeats nor redefines one that has participants.
            foreach (var challenge in challenges.Where(c => c.EndsMs > tx.NowMs))
            {
                await ChallengeService.InsertAsync(tx, challenge, ct);
            }
        }, ct);
        return kept;
    }

    /// <summary>The file's challenges checked, each with its key; their end is checked against the time of the start, not here.</summary>
    private static List<ChallengeRules.Checked> CheckChallenges(IReadOnlyList<ChallengeRequest>? items)
    {
        var checkedItems = new List<ChallengeRules.Checked>();
        for (var i = 0; i < (items?.Count ?? 0); i++)
        {
            try
            {
                if (items![i].Key is null)
                {
                    throw HubbubException.BadRequest("'key' is required in a rules file (it makes the challenge be created once)");
                }
                checkedItems.Add(ChallengeRules.Check(items[i], DateTimeOffset.MinValue));
            }
            catch (HubbubException ex)
            {
                throw HubbubException.BadRequest($"challenges[{i}]: {ex.Message}");
            }
        }
        return checkedItems;
    }

    private static void Collect<TRequest, TView>(List<DefinitionRow> rows, DefinitionKind<TRequest, TView> kind, IReadOnlyList<TRequest>? items,
        DateTime now, long ms)
    {
        for (var i = 0; i < (items?.Count ?? 0); i++)
        {
            try
            {
                rows.Add(kind.Row(kind.Validate(items![i], now), ms));
            }
            catch (HubbubException ex)
            {
                throw HubbubException.BadRequest($"{kind.Plural}[{i}]: {ex.Message}");
            }
        }
    }

    // To the millisecond, as stored: the answer to a POST shows the created_at a later GET reads, like every other time.
    private DateTime Now() => DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds()).UtcDateTime;

    private static HubbubException NotFound<TRequest, TView>(DefinitionKind<TRequest, TView> kind, string key) =>
        HubbubException.NotFound($"no {kind.Name} '{key}'");
}

/// <summary>Where the level curve in force comes from.</summary>
public static class LevelSources
{
    public const string Stored = "stored";
    public const string Configuration = "configuration";
}

/// <summary>One kind of definition: how it is validated, keyed, stored and read back.</summary>
internal sealed record DefinitionKind<TRequest, TView>(string Name, string Plural, JsonTypeInfo<TView> Json, Func<TRequest, DateTime, TView> Validate,
    Func<TView, string> KeyOf, Func<TView, string?> EventTypeOf, Func<TRequest, string, TRequest> WithKey)
{
    public DefinitionRow Row(TView view, long createdMs) => new()
    {
        Kind = Name,
        Key = KeyOf(view),
        EventType = EventTypeOf(view),
        Data = JsonSerializer.Serialize(view, Json),
        CreatedMs = createdMs,
    };

    /// <summary>The stored view (its <c>created_at</c> is when this version was stored).</summary>
    public TView Read(DefinitionRow row) => JsonSerializer.Deserialize(row.Data, Json)!;
}
