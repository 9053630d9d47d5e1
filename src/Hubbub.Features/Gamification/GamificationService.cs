using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Hubbub.Core;
using Hubbub.Features.Kit;
using Hubbub.Features.Kit.DomainEvents;
using Hubbub.Features.Kit.Text;
using Hubbub.Features.Kit.Users;
using Hubbub.Storage;
using Microsoft.Extensions.Options;
using static Hubbub.Features.Gamification.GamificationJsonContext;

namespace Hubbub.Features.Gamification;

/// <summary>
/// Domain events in, effects out: <c>POST /api/events</c> (one event or a batch) and every domain event another
/// feature raises go through <see cref="EventProcessor"/>, each event in one transaction, exactly once (by its
/// <c>id</c>, or by the domain event's id). Also the profile.
/// </summary>
public sealed partial class GamificationService(FeatureDatabase database, EventProcessor processor, DefinitionCache definitions,
    IOptions<GamificationOptions> options, TimeProvider time, ILogger<GamificationService> logger)
{
    /// <summary>Events in one batch at most.</summary>
    public const int MaxBatch = 100;

    /// <summary>Longest event id.</summary>
    public const int MaxIdLength = 128;

    /// <summary>The channel namespace of leaderboards.</summary>
    public const string BoardNamespace = "leaderboard";

    private const string EventScope = "gamification.event";
    private const string DomainEventScope = "gamification.domain_event";

    /// <summary>The channel of a board.</summary>
    public static string BoardChannel(string board) => $"{BoardNamespace}:{board}";

    /// <summary>Processes one event (<see cref="EventAnswer"/>) or a batch (<see cref="BatchAnswer"/>): every event is checked before any runs.</summary>
    public async Task<object> PostAsync(EventRequest request, CancellationToken ct)
    {
        if (request.Events is not { } batch)
        {
            return await ProcessAsync(Check(request), ct);
        }
        if (request.Id is not null || request.User is not null || request.Type is not null || request.Data is not null || request.Time is not null)
        {
            throw HubbubException.BadRequest("a batch is {\"events\":[…]} alone; each event carries its own fields");
        }
        if (batch.Count == 0)
        {
            throw HubbubException.BadRequest("'events' must hold at least one event");
        }
        if (batch.Count > MaxBatch)
        {
            throw HubbubException.TooLarge($"a batch holds at most {MaxBatch} events");
        }
        var checkedEvents = batch.Select((e, i) =>
        {
            try
            {
                return e is null ? throw HubbubException.BadRequest("an event must be an object") : Check(e);
            }
            catch (HubbubException ex)
            {
                throw new HubbubException(ex.Code, $"events[{i}]: {ex.Message}");
            }
        }).ToList();
        if (database.Database.Provider == DatabaseProvider.Sqlite)
        {
            // Every event queued to the one writer at once, in the batch's order (each call enqueues before its first
            // await): the writer runs them one after another, each in a savepoint of its own (a failing one rolled back
            // alone), and commits those queued together in one COMMIT instead of one each. One writer, so no lock order
            // to keep; the answer still waits for every commit and lists the events in order.
            return new BatchAnswer([.. await Task.WhenAll(checkedEvents.Select(e => ProcessAsync(e, ct)).ToList())]);
        }
        var answers = new List<EventAnswer>(checkedEvents.Count);
        foreach (var e in checkedEvents)
        {
            answers.Add(await ProcessAsync(e, ct)); // each in its own transaction: one user's lock at a time, no deadlocks
        }
        return new BatchAnswer(answers);
    }

    /// <summary>A domain event raised by a feature: attributed to its <c>user</c> field; its whole JSON is the event's data.</summary>
    internal async Task HandleDomainEventAsync(FeatureTransaction tx, DomainEvent domainEvent, CancellationToken ct)
    {
        using var json = JsonDocument.Parse(domainEvent.Data);
        if (json.RootElement.ValueKind != JsonValueKind.Object
            || !json.RootElement.TryGetProperty("user", out var userField) || userField.GetString() is not { } user || !UserIds.IsValid(user))
        {
            LogUnattributed(logger, domainEvent.Type, domainEvent.Id);
            return;
        }
        var e = new GameEvent(user, domainEvent.Type, json.RootElement.Clone(), DateTimeOffset.FromUnixTimeMilliseconds(tx.NowMs));
        await tx.OnceAsync(DomainEventScope, domainEvent.Id.ToString(CultureInfo.InvariantCulture), Default.Effects,
            () => processor.ProcessAsync(tx, e, ct), ct);
    }

    [LoggerMessage(6300, LogLevel.Debug, "Gamification: domain event {Type} #{Id} names no valid 'user'; nothing to attribute")]
    private static partial void LogUnattributed(ILogger logger, string type, long id);

    private async Task<EventAnswer> ProcessAsync((string Id, GameEvent Event) e, CancellationToken ct)
    {
        // Built before the write: on SQLite the work runs on the one writer thread, which bounds the rate, so what needs no
        // transaction is done on the request's own thread.
        var appEvent = AppEventData(e.Id, e.Event);
        var (effects, duplicate) = await database.WriteAsync(tx => tx.OnceAsync(EventScope, e.Id, Default.Effects, async () =>
        {
            var effects = await processor.ProcessAsync(tx, e.Event, ct, raises: e.Event.Type);
            // The app's event enters the pipeline too, for every other feature's handlers (social's activity rules):
            // raised in this transaction and inside the once-per-id block, so a retried id raises nothing again; not
            // to our own handler, which would count it twice. They run now, in this transaction, so the answer can carry
            // the activity a rule made of the event (and a retry answers the same, stored with the effects).
            var handled = await tx.RaiseAndHandleAsync(AppEvent(e.Event.Type), appEvent, OwnHandler, ct);
            return handled.Outcomes.TryGetValue(DomainEventOutcomes.Activity, out var activity) ? effects with { Activity = activity } : effects;
        }, ct), ct);
        return new EventAnswer(e.Id, duplicate, effects);
    }

    /// <summary>The name of gamification's handler of every domain event.</summary>
    internal const string HandlerName = "gamification";

    private static readonly string[] OwnHandler = [HandlerName];

    private static DomainEventKind<JsonElement> AppEvent(string type) => new(type, Default.JsonElement);

    /// <summary>
    /// An app's event as a domain event: its <c>data</c> fields, with <c>user</c> (the event's user, replacing one in
    /// the data), <c>event_id</c> (the app's id) and <c>event_time</c> (when it happened) set over them.
    /// </summary>
    internal static JsonElement AppEventData(string id, GameEvent e)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (e.Data is { ValueKind: JsonValueKind.Object } data)
            {
                foreach (var field in data.EnumerateObject().Where(f => f.Name is not ("user" or "event_id" or "event_time")))
                {
                    field.WriteTo(writer);
                }
            }
            writer.WriteString("user", e.User);
            writer.WriteString("event_id", id);
            writer.WriteString("event_time", DateTimeOffset.FromUnixTimeMilliseconds(e.Time.ToUnixTimeMilliseconds()).UtcDateTime); // ms, as every time
            writer.WriteEndObject();
        }
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private (string Id, GameEvent Event) Check(EventRequest r)
    {
        if (r.Events is not null)
        {
            throw HubbubException.BadRequest("a batch cannot hold batches");
        }
        if (string.IsNullOrEmpty(r.Id) || r.Id.Length > MaxIdLength || r.Id.Any(char.IsControl))
        {
            throw HubbubException.BadRequest($"'id' is required: 1-{MaxIdLength} characters, no control characters (it makes the event idempotent)");
        }
        StoredText.Check(r.Id, "id");
        var user = UserDirectory.CheckUserId(r.User);
        var type = DefinitionRules.EventType(r.Type, "type");
        if (r.Data is { } data && data.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
        {
            throw HubbubException.BadRequest("'data' must be an object");
        }
        if (r.Data is { } sized && JsonMarshal.GetRawUtf8Value(sized).Length > options.Value.MaxEventDataBytes)
        {
            throw HubbubException.TooLarge($"'data' is larger than {options.Value.MaxEventDataBytes} bytes (Gamification:MaxEventDataBytes)");
        }
        var now = time.GetUtcNow();
        var at = now;
        if (r.Time is not null)
        {
            if (!IsoTimes.TryParse(r.Time, out at) || at.Year < Periods.EarliestYear)
            {
                throw HubbubException.BadRequest(
                    $"'time' must be an ISO-8601 time from {Periods.EarliestYear} on, such as \"2026-12-01T08:30:00Z\"");
            }
            if (at > now.AddSeconds(options.Value.MaxFutureSkewSeconds))
            {
                throw HubbubException.BadRequest($"'time' is more than {options.Value.MaxFutureSkewSeconds} s in the future");
            }
        }
        return (r.Id, new GameEvent(user, type, r.Data is { ValueKind: JsonValueKind.Object } d ? d : null, at));
    }

    /// <summary>
    /// A user's XP, level, unlocked achievements, streaks (0 once broken) and quests in their current local period.
    /// Anyone signed in may read anyone's: it is what leaderboards show; the user's hidden achievements only when
    /// <paramref name="showHidden"/> (the user themself, an admin, the server).
    /// </summary>
    public async Task<ProfileView> ProfileAsync(string user, bool showHidden, CancellationToken ct)
    {
        UserDirectory.CheckUserId(user);
        var now = time.GetUtcNow();
        return await database.ReadAsync(async tx =>
        {
            var player = await PlayerStore.FindAsync(tx, user, ct);
            var xp = player?.Xp ?? 0;
            var curve = (await definitions.CurrentAsync(tx, ct)).Curve;
            var level = curve.LevelOf(xp);
            var (zone, zoneId) = await PlayerStore.TimeZoneAsync(tx, user, ct);
            var name = (await UserStore.FindAsync(tx, user, ct))?.Name ?? user;
            var achievements = (await DefinitionStore.ListAsync(tx, DefinitionStore.Achievement, ct)).Select(DefinitionService.Achievements.Read)
                .ToDictionary(a => a.Key, StringComparer.Ordinal);
            var held = (await PlayerStore.UnlockedAsync(tx, user, ct))
                .Where(u => achievements.TryGetValue(u.Achievement, out var a) && (showHidden || !a.Hidden))
                .Select(u => achievements[u.Achievement] is var a
                    ? new ProfileAchievement(a.Key, a.Name, a.Description, a.Rarity, a.Xp, DateTimeOffset.FromUnixTimeMilliseconds(u.UnlockedMs).UtcDateTime)
                    : null!)
                .ToList();
            var today = Periods.LocalDate(now, zone).DayNumber;
            var streakNames = (await DefinitionStore.ListAsync(tx, DefinitionStore.Streak, ct)).Select(DefinitionService.Streaks.Read)
                .ToDictionary(s => s.Key, StringComparer.Ordinal);
            var streaks = (await PlayerStore.StreaksAsync(tx, user, ct))
                .Where(s => streakNames.ContainsKey(s.Streak))
                .Select(s =>
                {
                    var definition = streakNames[s.Streak];
                    var alive = today - s.LastDay <= 1 + (definition.GraceDays ?? options.Value.StreakGraceDays);
                    return new ProfileStreak(s.Streak, definition.Name, alive ? (int)s.Count : 0, (int)s.Best,
                        DateOnly.FromDayNumber((int)s.LastDay).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                })
                .OrderBy(s => s.Key, StringComparer.Ordinal)
                .ToList();
            var quests = new List<ProfileQuest>();
            foreach (var quest in (await DefinitionStore.ListAsync(tx, DefinitionStore.Quest, ct)).Select(DefinitionService.Quests.Read))
            {
                var progress = await PlayerStore.QuestProgressAsync(tx, user, quest.Key, Periods.QuestKey(quest.Period, now, zone), ct);
                quests.Add(new ProfileQuest(quest.Key, quest.Name, quest.Period, Math.Min(progress?.Progress ?? 0, quest.Count), quest.Count, quest.Xp,
                    progress?.DoneMs is not null, Periods.QuestResetsAt(quest.Period, now, zone).UtcDateTime));
            }
            return new ProfileView(user, name, xp, level, level == 1 ? 0 : curve.NextLevelXp(level - 1) ?? 0, curve.NextLevelXp(level),
                zoneId, held, streaks, quests);
        }, ct);
    }
}

/// <summary>
/// The configured level curve (<c>Gamification:LevelThresholds</c> or the default), built once: the one in force while
/// no curve is stored (<c>POST /api/levels</c>, the rules file's <c>levels</c>; <see cref="DefinitionSet.Curve"/>).
/// </summary>
public sealed class LevelCurveSource(IOptions<GamificationOptions> options)
{
    /// <summary>The curve.</summary>
    public LevelCurve Curve { get; } = options.Value.Curve();
}
