using System.Globalization;
using System.Text.Json;
using Hubbub.Core;
using Hubbub.Features.Kit.Declaring;
using Hubbub.Storage;

namespace Hubbub.Features.Venues;

/// <summary>
/// What is read about venues: views, stats, activity, history. Needs only the database and the clock, so the
/// <c>venue</c> namespace's rules (built before the kit's publisher) can answer a subscribe's join state with it.
/// </summary>
public sealed class VenueQueries(IDatabase database, TimeProvider time)
{
    /// <summary>Activities in a join state and the default page of <c>GET …/activity</c>.</summary>
    public const int DefaultActivityLimit = 10;

    /// <summary>The largest page of any venues list.</summary>
    public const int MaxPage = 100;

    /// <summary>The longest history a venue answers (days).</summary>
    public const int MaxHistoryDays = 90;

    internal long NowMs => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Whether venue <paramref name="id"/> exists (a read that takes no write lock).</summary>
    public Task<bool> ExistsAsync(string id, CancellationToken cancellationToken = default) =>
        database.ReadAsync(async tx => await VenuesStore.FindVenueAsync(tx, id, cancellationToken) is not null, cancellationToken);

    /// <summary>One venue with its stats; unknown is <c>not_found</c>.</summary>
    public Task<VenueView> GetAsync(string id, string defaultWhenFull, CancellationToken cancellationToken = default) =>
        database.ReadAsync(async tx =>
        {
            var venue = await VenuesStore.FindVenueAsync(tx, id, cancellationToken) ?? throw NotFound();
            return View(venue, await StatsAsync(tx, venue, NowMs, cancellationToken), defaultWhenFull);
        }, cancellationToken);

    /// <summary>Venues by id after <paramref name="after"/>, each with its stats.</summary>
    public Task<VenueList> ListAsync(string? after, int limit, string defaultWhenFull, CancellationToken cancellationToken = default) =>
        database.ReadAsync(async tx =>
        {
            var rows = await VenuesStore.VenuesAfterAsync(tx, after ?? "", limit + 1, cancellationToken);
            var views = new List<VenueView>(Math.Min(rows.Count, limit));
            var now = NowMs;
            foreach (var row in rows.Take(limit))
            {
                views.Add(View(row, await StatsAsync(tx, row, now, cancellationToken), defaultWhenFull));
            }
            return new VenueList(views, rows.Count > limit ? views[^1].Id : null);
        }, cancellationToken);

    /// <summary>What a new subscriber of <c>venue:{id}</c> gets: the venue, its stats, its last 10 activities; null if unknown.</summary>
    public Task<VenueJoinState?> JoinStateAsync(string id, CancellationToken cancellationToken = default) =>
        database.ReadAsync(async tx =>
        {
            if (await VenuesStore.FindVenueAsync(tx, id, cancellationToken) is not { } venue)
            {
                return null;
            }
            var stats = await StatsAsync(tx, venue, NowMs, cancellationToken);
            var activities = await VenuesStore.ActivityAsync(tx, id, long.MaxValue, long.MaxValue, DefaultActivityLimit, cancellationToken);
            return new VenueJoinState(venue.Id, venue.Name, (int)venue.Capacity, venue.Timezone, stats, [.. activities.Select(Item)]);
        }, cancellationToken);

    /// <summary>A venue's check-ins and check-outs, newest first, from <paramref name="before"/> (a <c>next_cursor</c>).</summary>
    public Task<ActivityList> ActivityAsync(string id, string? before, int limit, CancellationToken cancellationToken = default)
    {
        var (atMs, seq) = before is null ? (long.MaxValue, long.MaxValue) : ParseActivityCursor(before);
        return database.ReadAsync(async tx =>
        {
            _ = await VenuesStore.FindVenueAsync(tx, id, cancellationToken) ?? throw NotFound();
            var rows = await VenuesStore.ActivityAsync(tx, id, atMs, seq, limit + 1, cancellationToken);
            var items = rows.Take(limit).ToList();
            var next = rows.Count > limit ? ActivityCursor(items[^1]) : null;
            return new ActivityList([.. items.Select(Item)], next);
        }, cancellationToken);
    }

    /// <summary>The last <paramref name="days"/> local days of a venue, today first.</summary>
    public Task<StatsHistory> HistoryAsync(string id, int days, CancellationToken cancellationToken = default) =>
        database.ReadAsync(async tx =>
        {
            var venue = await VenuesStore.FindVenueAsync(tx, id, cancellationToken) ?? throw NotFound();
            var zone = VenueDay.StoredZone(venue.Timezone);
            var today = VenueDay.Of(NowMs, zone);
            var from = today.AddDays(1 - days);
            var rows = (await VenuesStore.DaysAsync(tx, id, VenueDay.Key(from), VenueDay.Key(today), cancellationToken))
                .ToDictionary(r => r.Day, StringComparer.Ordinal);
            // A day without a row had no check-in or check-out: whoever was present at its start stayed all day.
            var carried = (await VenuesStore.LastDayBeforeAsync(tx, id, VenueDay.Key(from), cancellationToken))?.LastPresent ?? 0;
            var result = new List<DayStats>(days);
            for (var day = from; day <= today; day = day.AddDays(1))
            {
                var key = VenueDay.Key(day);
                if (rows.TryGetValue(key, out var row))
                {
                    result.Add(new DayStats(key, row.Checkins, row.Checkouts, Average(row), row.Peak, Time(row.PeakMs)));
                    carried = row.LastPresent;
                }
                else
                {
                    result.Add(new DayStats(key, 0, 0, 0, carried, carried > 0 ? Time(VenueDay.StartOf(day, zone)) : null));
                }
            }
            result.Reverse();
            return new StatsHistory(venue.Id, venue.Timezone, result);
        }, cancellationToken);

    /// <summary>A venue's stats at <paramref name="nowMs"/>, read in the caller's transaction.</summary>
    internal static async Task<VenueStats> StatsAsync(DatabaseTransaction tx, VenueRow venue, long nowMs, CancellationToken ct)
    {
        var zone = VenueDay.StoredZone(venue.Timezone);
        var today = VenueDay.Of(nowMs, zone);
        var key = VenueDay.Key(today);
        var present = await VenuesStore.CountOpenAsync(tx, venue.Id, ct);
        return await VenuesStore.FindDayAsync(tx, venue.Id, key, ct) is { } row
            ? StatsOf(row, present)
            // Nothing happened today yet: those present now have been since midnight.
            : new VenueStats(present, 0, 0, 0, present, present > 0 ? Time(VenueDay.StartOf(today, zone)) : null, key);
    }

    /// <summary>The stats of today's row <paramref name="row"/> with <paramref name="present"/> members present (what a change just wrote).</summary>
    internal static VenueStats StatsOf(DayRow row, long present) =>
        new(present, row.Checkins, row.Checkouts, Average(row), row.Peak, Time(row.PeakMs), row.Day);

    internal static VenueView View(VenueRow row, VenueStats stats, string defaultWhenFull) =>
        new(row.Id, row.Name, (int)row.Capacity, row.Timezone, Locations(row), row.WhenFull ?? defaultWhenFull, stats, Time(row.CreatedMs));

    internal static IReadOnlyList<string> Locations(VenueRow row) => JsonSerializer.Deserialize(row.Locations, VenuesJsonContext.Default.StringArray) ?? [];

    internal static ActivityItem Item(ActivityRow r)
    {
        var visit = r.Visit.ToString(CultureInfo.InvariantCulture);
        return r.IsOut != 0
            ? new ActivityItem("out-" + visit, "checkout", visit, r.UserId, r.Name, r.Location, Time(r.AtMs), r.DurationS, r.Auto != 0)
            : new ActivityItem("in-" + visit, "checkin", visit, r.UserId, r.Name, r.Location, Time(r.AtMs), null, false);
    }

    internal static DateTime Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime;

    internal static DateTime? Time(long? ms) => ms is { } value ? Time(value) : null;

    internal static HubbubException NotFound() => HubbubException.NotFound("venue not found");

    private static long Average(DayRow row) => row.Checkouts > 0 ? row.DurationSumS / row.Checkouts : 0; // 0, not null: a number clients can show and sum

    // A cursor is "{at_ms}.{seq}" of the previous page's last item: its visit, times two, plus one for a check-out.
    private static string ActivityCursor(ActivityRow r) =>
        KeysetCursor.Format(r.AtMs, (r.Visit * 2 + r.IsOut).ToString(CultureInfo.InvariantCulture), '.');

    private static (long AtMs, long Seq) ParseActivityCursor(string cursor) => KeysetCursor.ParseNumbers(cursor, '.');
}
