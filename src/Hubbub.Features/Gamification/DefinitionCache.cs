using Hubbub.Features.Kit.DomainEvents;
using Hubbub.Storage;

namespace Hubbub.Features.Gamification;

/// <summary>
/// The definitions parsed once and indexed by event type, per version of <c>gam_definitions_version</c>: an event reads
/// the version with its user's row (in its own transaction) and gets the definitions of that version, re-read from the
/// database only when it moved, so a change made on any node applies to the events processed after it commits, and no
/// event re-reads or re-parses the rules.
/// </summary>
public sealed class DefinitionCache(LevelCurveSource configuredLevels, IEnumerable<AnnouncedXp> announcedXp)
{
    private readonly AnnouncedXp[] _announcedXp = [.. announcedXp];

    private volatile DefinitionSet? _current;

    /// <summary>The definitions of <paramref name="version"/> (read in <paramref name="tx"/> when this node holds another).</summary>
    internal async Task<DefinitionSet> GetAsync(DatabaseTransaction tx, long version, CancellationToken ct)
    {
        if (_current is { } current && current.Version == version)
        {
            return current;
        }
        // Read after the version, so what is read is at least that version; a newer one only costs a reload later.
        var set = DefinitionSet.Build(version, await DefinitionStore.AllAsync(tx, ct), await DefinitionStore.ChallengeTypesAsync(tx, ct),
            configuredLevels.Curve, _announcedXp);
        _current = set;
        return set;
    }

    /// <summary>The definitions in force in <paramref name="tx"/> (for reads that hold no user's row: the profile).</summary>
    internal async Task<DefinitionSet> CurrentAsync(DatabaseTransaction tx, CancellationToken ct) =>
        await GetAsync(tx, await tx.QuerySingleAsync<long>("SELECT version FROM gam_definitions_version WHERE id = 1", null, ct), ct);
}

/// <summary>Every definition of one version, grouped by the event type that moves it.</summary>
internal sealed class DefinitionSet
{
    private readonly Dictionary<string, EventDefinitions> _byType;
    private readonly EventDefinitions _xpBoardsOnly;
    private readonly HashSet<string> _challengeTypes;

    private DefinitionSet(long version, Dictionary<string, EventDefinitions> byType, EventDefinitions xpBoardsOnly, HashSet<string> challengeTypes,
        LevelCurve curve)
    {
        Version = version;
        Curve = curve;
        _byType = byType;
        _xpBoardsOnly = xpBoardsOnly;
        _challengeTypes = challengeTypes;
    }

    public long Version { get; }

    /// <summary>The level curve: the stored one, else the configured one.</summary>
    public LevelCurve Curve { get; }

    /// <summary>What an event of <paramref name="type"/> may touch: the definitions of its type, and the boards fed by XP.</summary>
    public EventDefinitions For(string type) => _byType.GetValueOrDefault(type) ?? _xpBoardsOnly;

    /// <summary>Whether some challenge counts events of <paramref name="type"/> (else the event needs no challenge lookup).</summary>
    public bool HasChallenges(string type) => _challengeTypes.Contains(type);

    public static DefinitionSet Build(long version, List<DefinitionRow> rows, List<string> challengeTypes, LevelCurve configuredCurve,
        IReadOnlyList<AnnouncedXp> announcedXp)
    {
        var curve = rows.FirstOrDefault(r => r.Kind == DefinitionStore.Levels) is { } levels ? DefinitionService.CurveOf(levels) : configuredCurve;
        var rules = rows.Where(r => r.Kind == DefinitionStore.Rule).Select(DefinitionService.Rules.Read).ToList();
        // An event that announces its XP gives it while no rule of its type is stored; a stored rule replaces it.
        rules.AddRange(announcedXp.Where(a => !rules.Exists(r => r.Type == a.EventType))
            .Select(a => new XpRuleView(a.EventType, null, a.Field, 1, null, DateTime.UnixEpoch)));
        var achievements = rows.Where(r => r.Kind == DefinitionStore.Achievement).Select(DefinitionService.Achievements.Read).ToList();
        var quests = rows.Where(r => r.Kind == DefinitionStore.Quest).Select(DefinitionService.Quests.Read).ToList();
        var streaks = rows.Where(r => r.Kind == DefinitionStore.Streak).Select(DefinitionService.Streaks.Read).ToList();
        var boards = rows.Where(r => r.Kind == DefinitionStore.Leaderboard).Select(DefinitionService.Leaderboards.Read).ToList();
        var xpBoards = boards.Where(b => DefinitionRules.SourceOf(b.Source).Type is null).ToList();
        var types = rules.Select(r => r.Type).Concat(achievements.Select(a => a.Type)).Concat(quests.Select(q => q.Type)).Concat(streaks.Select(s => s.Type))
            .Concat(boards.Select(b => DefinitionRules.SourceOf(b.Source).Type).OfType<string>())
            .Distinct(StringComparer.Ordinal);
        var byType = types.ToDictionary(t => t, t => new EventDefinitions(
            Sorted(rules.Where(r => r.Type == t), r => r.Type),
            Sorted(achievements.Where(a => a.Type == t), a => a.Key),
            Sorted(quests.Where(q => q.Type == t), q => q.Key),
            Sorted(streaks.Where(s => s.Type == t), s => s.Key),
            // Boards in key order, those of XP with those of the type, as the effects list them.
            Sorted(boards.Where(b => DefinitionRules.SourceOf(b.Source).Type is var s && (s is null || s == t)), b => b.Key)), StringComparer.Ordinal);
        return new DefinitionSet(version, byType, new EventDefinitions([], [], [], [], Sorted(xpBoards, b => b.Key)),
            challengeTypes.ToHashSet(StringComparer.Ordinal), curve);
    }

    private static List<T> Sorted<T>(IEnumerable<T> items, Func<T, string> key) => [.. items.OrderBy(key, StringComparer.Ordinal)];
}

/// <summary>The definitions one event type moves, each list in key order.</summary>
internal sealed record EventDefinitions(List<XpRuleView> Rules, List<AchievementView> Achievements, List<QuestView> Quests, List<StreakView> Streaks,
    List<LeaderboardView> Boards)
{
    /// <summary>Quests and streaks count on the user's local day, so they need the user's time zone.</summary>
    public bool NeedsZone => Quests.Count > 0 || Streaks.Count > 0;

    /// <summary>The achievements' keys, in order: made once per definitions' version, not per event (<see cref="PlayerState"/>).</summary>
    public IReadOnlyList<string> AchievementKeys { get; } = [.. Achievements.Select(a => a.Key)];

    /// <summary>The streaks' keys, in order.</summary>
    public IReadOnlyList<string> StreakKeys { get; } = [.. Streaks.Select(s => s.Key)];
}
