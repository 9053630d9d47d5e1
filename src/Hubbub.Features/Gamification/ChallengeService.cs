using Hubbub.Core;
using Hubbub.Features.Kit;
using Hubbub.Features.Kit.Callers;
using Hubbub.Features.Kit.DomainEvents;
using Hubbub.Storage;
using static Hubbub.Features.Gamification.ChallengeJsonContext;

namespace Hubbub.Features.Gamification;

/// <summary>
/// Challenges: defined by the server or an admin, listed and read by anyone signed in, joined by a user for themself
/// (or by the server for the user it names), idempotently and only until the challenge ends. A join is announced on
/// <c>challenge:{id}</c> and raised as the domain event <c>challenge.joined</c>, in the join's transaction. Progress
/// comes from events (<see cref="ChallengeProgress"/>).
/// </summary>
public sealed class ChallengeService(FeatureDatabase database, TimeProvider time)
{
    /// <summary>The channel namespace of challenges.</summary>
    public const string Namespace = "challenge";

    /// <summary>Rows of a page by default, and at most.</summary>
    public const int DefaultLimit = 20, MaxLimit = 100;

    /// <summary>Deepest participant offset (deeper pages are not what a challenge page shows).</summary>
    public const int MaxOffset = 100_000;

    /// <summary>Participants in a subscribe's join state and in <c>challenge_ended</c>'s standings.</summary>
    public const int LiveRows = 10;

    /// <summary>Participants (in rank order) who get a <c>challenge_ended</c> notification when a challenge ends.</summary>
    public const int MaxEndNotices = 1000;

    /// <summary>The scheduler's job that announces the end of a challenge at its <c>ends_at</c> (key: the challenge id).</summary>
    public const string EndJob = "gamification.challenge_end";

    internal static readonly DomainEventKind<ChallengeDomainEvent> Joined = new(GamificationEvents.ChallengeJoinedEvent, Default.ChallengeDomainEvent);
    internal static readonly DomainEventKind<ChallengeDomainEvent> Completed = new(GamificationEvents.ChallengeCompletedEvent, Default.ChallengeDomainEvent);
    internal static readonly DomainEventKind<ChallengeResultDomainEvent> Ended = new(GamificationEvents.ChallengeEndedEvent, Default.ChallengeResultDomainEvent);
    internal static readonly DomainEventKind<ChallengeResultDomainEvent> Won = new(GamificationEvents.ChallengeWonEvent, Default.ChallengeResultDomainEvent);

    /// <summary>The channel of a challenge.</summary>
    public static string Channel(string id) => $"{Namespace}:{id}";

    /// <summary>
    /// Stores a challenge (the caller checked it is the server or an admin). One with a <c>key</c> is created once: a key
    /// already taken answers the stored challenge as it is, with <c>Created</c> false (a challenge has participants and
    /// progress, so it is never redefined).
    /// </summary>
    public async Task<(ChallengeView View, bool Created)> CreateAsync(ChallengeRequest request, CancellationToken ct)
    {
        var c = ChallengeRules.Check(request, time.GetUtcNow());
        return await database.WriteAsync(async tx =>
        {
            if (await InsertAsync(tx, c, ct) is { } id)
            {
                return (ChallengeRules.View((await ChallengeStore.FindAsync(tx, id, ct))!, tx.NowMs, null), true);
            }
            return (ChallengeRules.View((await ChallengeStore.FindByKeyAsync(tx, c.Key!, ct))!, tx.NowMs, null), false);
        }, ct);
    }

    /// <summary>Stores a checked challenge and schedules its end, in <paramref name="tx"/>; null when its key is taken.</summary>
    internal static async Task<long?> InsertAsync(FeatureTransaction tx, ChallengeRules.Checked c, CancellationToken ct)
    {
        if (await ChallengeStore.InsertAsync(tx, c, tx.NowMs, ct) is not { } id)
        {
            return null;
        }
        await DefinitionStore.BumpVersionAsync(tx, ct); // events of its type now look up their users' challenges
        await tx.ScheduleAsync(EndJob, ChallengeRules.IdOf(id), DateTimeOffset.FromUnixTimeMilliseconds(c.EndsMs), cancellationToken: ct);
        return id;
    }

    /// <summary>A page of challenges, newest first, with the viewer's own progress in each they joined.</summary>
    public async Task<ChallengeList> ListAsync(HubbubUser viewer, string? before, string? state, string? type, bool joined, int? limit, CancellationToken ct)
    {
        var cursor = ChallengeRules.Cursor(before);
        state = ChallengeRules.State(state);
        type = type is null ? null : DefinitionRules.EventType(type, "type");
        var count = Limit(limit);
        if (joined && ReferenceEquals(viewer, CallerResolver.ServerViewer))
        {
            throw HubbubException.BadRequest("'joined' lists the challenges of a user: the server names one with ?user=");
        }
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        return await database.ReadAsync(async tx =>
        {
            var rows = await ChallengeStore.ListAsync(tx, cursor, state, type, joined ? viewer.Id : null, now, count + 1, ct);
            var page = new List<ChallengeView>(Math.Min(rows.Count, count));
            foreach (var row in rows.Take(count))
            {
                page.Add(ChallengeRules.View(row, now, await ChallengeStore.ParticipantAsync(tx, row.Id, viewer.Id, ct)));
            }
            return new ChallengeList(page, rows.Count > count ? page[^1].Id : null);
        }, ct);
    }

    /// <summary>One challenge with the viewer's own progress (null when they have not joined).</summary>
    public async Task<ChallengeView> GetAsync(HubbubUser viewer, ChallengeJoinRequest request, CancellationToken ct)
    {
        var id = ChallengeRules.Id(request.Challenge);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        return await database.ReadAsync(tx => ReadAsync(tx, id, viewer.Id, now, ct), ct)
            ?? throw ChallengeRules.NotFound();
    }

    /// <summary>
    /// Joins <paramref name="me"/> to a challenge: once (a second join changes nothing and answers the same), refused
    /// with <c>conflict</c>/<c>challenge_ended</c> from its end on. Joining an upcoming challenge is allowed.
    /// </summary>
    public async Task<ChallengeView> JoinAsync(HubbubUser me, ChallengeJoinRequest request, CancellationToken ct)
    {
        var id = ChallengeRules.Id(request.Challenge);
        return await database.WriteAsync(async tx =>
        {
            var row = await ChallengeStore.FindAsync(tx, id, ct) ?? throw ChallengeRules.NotFound();
            if (tx.NowMs >= row.EndsMs)
            {
                throw new HubbubException(Protocol.ErrorCodes.Conflict, "challenge_ended", "the challenge has ended; nobody can join it now");
            }
            if (await ChallengeStore.JoinAsync(tx, id, me.Id, tx.NowMs, ct))
            {
                var challenge = ChallengeRules.IdOf(id);
                await tx.PublishAsync(Channel(challenge), GamificationEvents.ChallengeJoined, new ChallengeMember(challenge, me.Id, me.Name),
                    Default.ChallengeMember, ct);
                // Handled in the join's transaction, not after it by the dispatcher: the feed's card of the join (the social
                // feature's rule) then exists when the join answers, and stands below whatever the joiner does next.
                await tx.RaiseAndHandleAsync(Joined, DomainEventOf(me.Id, row), [], ct);
            }
            return (await ReadAsync(tx, id, me.Id, tx.NowMs, ct))!;
        }, ct);
    }

    /// <summary>
    /// Takes <paramref name="me"/> out of a challenge with their progress (a later join starts from 0); leaving when not in
    /// it changes nothing and answers the same. Refused with <c>conflict</c>/<c>challenge_ended</c> from the end on: the
    /// standings are final then.
    /// </summary>
    public async Task<ChallengeView> LeaveAsync(HubbubUser me, ChallengeJoinRequest request, CancellationToken ct)
    {
        var id = ChallengeRules.Id(request.Challenge);
        return await database.WriteAsync(async tx =>
        {
            var row = await ChallengeStore.FindAsync(tx, id, ct) ?? throw ChallengeRules.NotFound();
            if (tx.NowMs >= row.EndsMs)
            {
                throw new HubbubException(Protocol.ErrorCodes.Conflict, "challenge_ended", "the challenge has ended; its standings are final");
            }
            if (await ChallengeStore.LeaveAsync(tx, id, me.Id, ct))
            {
                var challenge = ChallengeRules.IdOf(id);
                await tx.PublishAsync(Channel(challenge), GamificationEvents.ChallengeLeft, new ChallengeMember(challenge, me.Id, me.Name),
                    Default.ChallengeMember, ct);
            }
            return (await ReadAsync(tx, id, me.Id, tx.NowMs, ct))!;
        }, ct);
    }

    /// <summary>
    /// The scheduler's job at a challenge's <c>ends_at</c>: <c>challenge_ended</c> with the final standings on its channel,
    /// and to each participant (the first <see cref="MaxEndNotices"/> in rank order) a notification with their own rank
    /// and the domain event <c>challenge.ended</c> (<c>challenge.won</c> too for a first rank), in one transaction, once
    /// (the job is completed with it).
    /// </summary>
    internal static async Task EndAsync(FeatureTransaction tx, Kit.Scheduling.Job job, CancellationToken ct)
    {
        if (!long.TryParse(job.Key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
            || await ChallengeStore.FindAsync(tx, id, ct) is not { } row)
        {
            return;
        }
        var challenge = ChallengeRules.IdOf(id);
        var ranked = ChallengeRules.Ranked(await ChallengeStore.RankedAsync(tx, id, 0, MaxEndNotices, ct), 1, 1);
        await tx.PublishAsync(Channel(challenge), GamificationEvents.ChallengeEnded,
            new ChallengeEndedEvent(challenge, row.Title, row.Goal, ChallengeRules.At(row.EndsMs), row.Participants,
                await ChallengeStore.CompletedCountAsync(tx, id, ct), ranked.Take(LiveRows).ToList()),
            Default.ChallengeEndedEvent, ct);
        foreach (var p in ranked)
        {
            await tx.NotifyAsync(p.User, GamificationEvents.ChallengeEnded,
                new ChallengeEndedNotice(challenge, row.Title, p.Rank, p.Progress, row.Goal, p.Completed), Default.ChallengeEndedNotice, ct);
            var result = new ChallengeResultDomainEvent(p.User, challenge, row.Title, row.Type, row.Goal, ChallengeRules.At(row.StartsMs),
                ChallengeRules.At(row.EndsMs), p.Rank, p.Progress, p.Completed);
            await tx.RaiseAsync(Ended, result, ct);
            if (p.Rank == 1)
            {
                await tx.RaiseAsync(Won, result, ct);
            }
        }
    }

    /// <summary>Participants in rank order, <paramref name="limit"/> from <paramref name="offset"/>.</summary>
    public async Task<ChallengeParticipantList> ParticipantsAsync(string challenge, int? offset, int? limit, CancellationToken ct)
    {
        var id = ChallengeRules.Id(challenge);
        var count = Limit(limit);
        var from = offset switch
        {
            null => 0,
            >= 0 and <= MaxOffset => offset.Value,
            _ => throw HubbubException.BadRequest($"'offset' must be from 0 to {MaxOffset}"),
        };
        return await database.ReadAsync(async tx =>
        {
            var row = await ChallengeStore.FindAsync(tx, id, ct) ?? throw ChallengeRules.NotFound();
            var rows = await ChallengeStore.RankedAsync(tx, id, from, count + 1, ct);
            var page = rows.Take(count).ToList();
            var ranked = page.Count == 0 ? [] : ChallengeRules.Ranked(page, await ChallengeStore.RankOfAsync(tx, id, page[0].Progress, ct), from + 1);
            int? next = rows.Count > count ? from + count : null;
            return new ChallengeParticipantList(ChallengeRules.IdOf(id), row.Goal, ranked, next,
                next?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }, ct);
    }

    /// <summary>Whether a challenge of this id exists (the channel's subscribe check).</summary>
    internal static async Task<bool> ExistsAsync(IDatabase db, string challenge, CancellationToken ct) =>
        long.TryParse(challenge, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
        && await db.ReadAsync(async tx => await ChallengeStore.FindAsync(tx, id, ct) is not null, ct);

    /// <summary>The join state of <c>challenge:{id}</c>: null for an unknown challenge (the subscribe gets no state).</summary>
    internal static Task<ChallengeState?> StateAsync(IDatabase db, string challenge, string viewer, long nowMs, CancellationToken ct) =>
        !long.TryParse(challenge, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
            ? Task.FromResult<ChallengeState?>(null)
            : db.ReadAsync(async tx => await ReadAsync(tx, id, viewer, nowMs, ct) is { } view
                ? new ChallengeState(view, ChallengeRules.Ranked(await ChallengeStore.RankedAsync(tx, id, 0, LiveRows, ct), 1, 1))
                : null, ct);

    internal static ChallengeDomainEvent DomainEventOf(string user, ChallengeRow row) =>
        new(user, ChallengeRules.IdOf(row.Id), row.Title, row.Type, row.Goal, ChallengeRules.At(row.StartsMs), ChallengeRules.At(row.EndsMs));

    private static async Task<ChallengeView?> ReadAsync(DatabaseTransaction tx, long id, string viewer, long nowMs, CancellationToken ct) =>
        await ChallengeStore.FindAsync(tx, id, ct) is { } row
            ? ChallengeRules.View(row, nowMs, await ChallengeStore.ParticipantAsync(tx, id, viewer, ct))
            : null;

    private static int Limit(int? limit) => limit switch
    {
        null => DefaultLimit,
        >= 1 and <= MaxLimit => limit.Value,
        _ => throw HubbubException.BadRequest($"'limit' must be from 1 to {MaxLimit}"),
    };
}
