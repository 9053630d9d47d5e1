using System.Globalization;
using Hubbub.Core;
using Hubbub.Features.Kit;
using Hubbub.Features.Kit.Scheduling;
using Hubbub.Features.Wallet;
using static Hubbub.Features.Venues.VenuesJsonContext;

namespace Hubbub.Features.Venues;

public sealed partial class VenuesService
{
    /// <summary>
    /// Checks <paramref name="me"/> in at the request's venue. Already checked in there is <c>conflict</c>, reason
    /// <c>already_checked_in</c>; at capacity <c>conflict</c>, reason <c>venue_full</c>, unless the venue flags instead
    /// (then the visit says <c>over_capacity</c>). Schedules the automatic check-out. A repeated <c>client_id</c> answers
    /// the first check-in again and does nothing, also after a check-out (a retry, or a late copy a stopped node held).
    /// </summary>
    public async Task<VisitView> CheckInAsync(HubbubUser me, CheckinRequest request, CancellationToken cancellationToken = default)
    {
        var id = CheckVenueId(request.Venue);
        var location = request.Location is null ? null : CheckText(request.Location, "location", Options.MaxLocationLength);
        var clientId = request.ClientId is null ? null : WalletInput.Id(request.ClientId, "client_id");
        return await database.WriteAsync(async tx => clientId is null
            ? await CheckInOnceAsync(tx, me, id, location, cancellationToken)
            : (await tx.OnceAsync($"venues.checkin:{id}:{me.Id}", clientId, Default.VisitView,
                () => CheckInOnceAsync(tx, me, id, location, cancellationToken), cancellationToken)).Result, cancellationToken);
    }

    private async Task<VisitView> CheckInOnceAsync(FeatureTransaction tx, HubbubUser me, string id, string? location, CancellationToken cancellationToken)
    {
        var (found, present, open) = await VenuesStore.VenueForChangeAsync(tx, id, me.Id, cancellationToken);
        var venue = found ?? throw VenueQueries.NotFound();
        // A venue that lists its locations takes only those; one that lists none takes any (bounded) text, as
        // FEATURES.md's check-in `{location?}` is free for venues created with `{name, capacity, timezone}`.
        if (location is not null && VenueQueries.Locations(venue) is { Count: > 0 } locations && !locations.Contains(location, StringComparer.Ordinal))
        {
            throw HubbubException.BadRequest($"'location' must be one of the venue's locations: {string.Join(", ", locations)}");
        }
        if (open is not null)
        {
            throw new HubbubException(Protocol.ErrorCodes.Conflict, "already_checked_in", "you are already checked in at this venue");
        }
        var over = present >= venue.Capacity;
        if (over && (venue.WhenFull ?? Options.WhenFull) == VenuesOptions.Refuse)
        {
            throw new HubbubException(Protocol.ErrorCodes.Conflict, "venue_full", $"the venue is full ({venue.Capacity} present)");
        }
        // The unique partial index refuses a second open visit even if a check above were ever raced past.
        var visitId = await VenuesStore.InsertVisitAsync(tx, id, me.Id, location, tx.NowMs, over, cancellationToken);
        var day = await RecordAsync(tx, venue, present, +1, 0, cancellationToken);
        var visit = new VisitRow { Id = visitId, VenueId = id, UserId = me.Id, Location = location, CheckedInMs = tx.NowMs, OverCapacity = over ? 1 : 0 };
        await tx.ScheduleAsync(AutoCheckoutJob, Key(visitId), DateTimeOffset.FromUnixTimeMilliseconds(tx.NowMs).AddHours(Options.MaxSessionHours),
            cancellationToken: cancellationToken);

        var at = VenueQueries.Time(tx.NowMs);
        var channel = ChannelOf(id);
        await tx.PublishAsync(channel, VenuesEvents.MemberCheckedIn, new MemberCheckedIn(me.Id, me.Name, location, at, Key(visitId), over),
            Default.MemberCheckedIn, cancellationToken);
        await PublishStatsAsync(tx, id, VenueQueries.StatsOf(day, present + 1), cancellationToken);
        var text = location is null ? $"{me.Name} checked in" : $"{me.Name} checked in at {location}";
        await tx.PublishAsync(channel, VenuesEvents.ActivityNotification, new ActivityNotification("checkin", me.Id, me.Name, text, at),
            Default.ActivityNotification, cancellationToken);
        return View(visit);
    }

    /// <summary>
    /// Checks <paramref name="me"/> out of the request's venue; not checked in there is <c>conflict</c>, reason
    /// <c>not_checked_in</c>. A repeated <c>client_id</c> answers the first check-out again and does nothing.
    /// </summary>
    public async Task<VisitView> CheckOutAsync(HubbubUser me, CheckoutRequest request, CancellationToken cancellationToken = default)
    {
        var id = CheckVenueId(request.Venue);
        var clientId = request.ClientId is null ? null : WalletInput.Id(request.ClientId, "client_id");
        return await database.WriteAsync(async tx => clientId is null
            ? await CheckOutOnceAsync(tx, me, id, cancellationToken)
            : (await tx.OnceAsync($"venues.checkout:{id}:{me.Id}", clientId, Default.VisitView,
                () => CheckOutOnceAsync(tx, me, id, cancellationToken), cancellationToken)).Result, cancellationToken);
    }

    private async Task<VisitView> CheckOutOnceAsync(FeatureTransaction tx, HubbubUser me, string id, CancellationToken cancellationToken)
    {
        var (venue, present, open) = await VenuesStore.VenueForChangeAsync(tx, id, me.Id, cancellationToken);
        if (venue is null)
        {
            throw VenueQueries.NotFound();
        }
        var visit = open ?? throw new HubbubException(Protocol.ErrorCodes.Conflict, "not_checked_in", "you are not checked in at this venue");
        await tx.CancelJobAsync(AutoCheckoutJob, Key(visit.Id), cancellationToken);
        return await CloseAsync(tx, venue, visit, present, me.Name, auto: false, cancellationToken);
    }

    /// <summary>
    /// The scheduler's job: checks out a visit still open <see cref="VenuesOptions.MaxSessionHours"/> after it began
    /// (<c>auto: true</c>), at the time the job runs — on one node, also when it fell due while every node was down.
    /// </summary>
    internal async Task AutoCheckOutAsync(FeatureTransaction tx, Job job, CancellationToken cancellationToken)
    {
        if (!long.TryParse(job.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var visitId)
            || await VenuesStore.FindVisitAsync(tx, visitId, cancellationToken) is not { CheckedOutMs: null } open)
        {
            return; // ended meanwhile
        }
        // The venue first (as check-ins and check-outs take it), then the visit again under it.
        var venue = await VenuesStore.FindVenueAsync(tx, open.VenueId, cancellationToken, forUpdate: true);
        if (venue is null || await VenuesStore.FindVisitAsync(tx, visitId, cancellationToken) is not { CheckedOutMs: null } visit)
        {
            return;
        }
        await CloseAsync(tx, venue, visit, await VenuesStore.CountOpenAsync(tx, venue.Id, cancellationToken),
            await users.NameOfAsync(visit.UserId, cancellationToken), auto: true, cancellationToken);
    }

    /// <summary>A member's visits, newest first, <paramref name="limit"/> (1-100, default 20) at a time before <paramref name="before"/>.</summary>
    public async Task<VisitList> VisitsAsync(HubbubUser me, string? before, int? limit, CancellationToken cancellationToken = default)
    {
        var take = Limit(limit, 20);
        var from = before is null ? long.MaxValue
            : long.TryParse(before, NumberStyles.None, CultureInfo.InvariantCulture, out var b) ? b
            : throw HubbubException.BadRequest("'before' must be a next_cursor of this list");
        var rows = await database.ReadAsync(tx => VenuesStore.VisitsOfAsync(tx, me.Id, from, take + 1, cancellationToken), cancellationToken);
        var page = rows.Take(take).Select(View).ToList();
        return new VisitList(page, rows.Count > take ? page[^1].Id : null);
    }

    /// <summary>Ends <paramref name="visit"/> at a venue where <paramref name="present"/> members (this one included) are present.</summary>
    private async Task<VisitView> CloseAsync(FeatureTransaction tx, VenueRow venue, VisitRow visit, long present, string name, bool auto,
        CancellationToken ct)
    {
        var duration = Math.Max(0, (tx.NowMs - visit.CheckedInMs) / 1000);
        if (!await VenuesStore.CloseVisitAsync(tx, visit.Id, tx.NowMs, duration, auto, ct))
        {
            throw new InvalidOperationException($"visit {visit.Id} was ended by another transaction under the venue's lock");
        }
        var day = await RecordAsync(tx, venue, present, -1, duration, ct);
        await tx.RaiseAsync(VenuesEvents.CheckinCompleted, new CheckinCompleted(visit.UserId, venue.Id, duration, Key(visit.Id), auto), ct);

        var at = VenueQueries.Time(tx.NowMs);
        var channel = ChannelOf(venue.Id);
        await tx.PublishAsync(channel, VenuesEvents.MemberCheckedOut, new MemberCheckedOut(visit.UserId, name, duration, at, auto, Key(visit.Id)),
            Default.MemberCheckedOut, ct);
        await PublishStatsAsync(tx, venue.Id, VenueQueries.StatsOf(day, present - 1), ct);
        var text = $"{name} checked out after {Describe(duration)}{(auto ? " (checked out automatically)" : "")}";
        await tx.PublishAsync(channel, VenuesEvents.ActivityNotification, new ActivityNotification("checkout", visit.UserId, name, text, at),
            Default.ActivityNotification, ct);
        visit.CheckedOutMs = tx.NowMs;
        visit.DurationS = duration;
        visit.Auto = auto ? 1 : 0;
        return View(visit);
    }

    private static Task<DayRow> RecordAsync(FeatureTransaction tx, VenueRow venue, long presentBefore, int delta, long durationS, CancellationToken ct)
    {
        var zone = VenueDay.StoredZone(venue.Timezone);
        var day = VenueDay.Of(tx.NowMs, zone);
        return VenuesStore.RecordAsync(tx, venue.Id, VenueDay.Key(day), VenueDay.StartOf(day, zone), presentBefore, delta, durationS, tx.NowMs, ct);
    }

    /// <summary>
    /// Publishes the venue's stats right after a change, from what the change itself wrote (the day's row it answered and the
    /// members present after it): the same numbers a re-read would give, without reading them again.
    /// </summary>
    private static Task PublishStatsAsync(FeatureTransaction tx, string venue, VenueStats stats, CancellationToken ct) =>
        tx.PublishAsync(ChannelOf(venue), VenuesEvents.StatsUpdate, new StatsUpdate(stats), Default.StatsUpdate, ct);

    private static VisitView View(VisitRow v) =>
        new(Key(v.Id), v.UserId, v.VenueId, v.Location, VenueQueries.Time(v.CheckedInMs), VenueQueries.Time(v.CheckedOutMs), v.DurationS,
            v.Auto != 0, v.OverCapacity != 0);

    private static string Key(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>A duration as a feed line says it: "45 s", "12 min", "1 h 05 min".</summary>
    internal static string Describe(long seconds) => seconds switch
    {
        < 60 => string.Create(CultureInfo.InvariantCulture, $"{seconds} s"),
        < 3600 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 60} min"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600} h {seconds % 3600 / 60:00} min"),
    };
}
