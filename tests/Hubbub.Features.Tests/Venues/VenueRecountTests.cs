using System.Net;
using System.Text.Json;
using Hubbub.Features.Venues;
using Microsoft.Extensions.Time.Testing;
using static Hubbub.Features.Tests.Venues.VenueHarness;

namespace Hubbub.Features.Tests.Venues;

/// <summary>
/// Counts never drift: a seeded random run of 1,000 operations (check-ins, check-outs, time passing over days, DST
/// changes and automatic check-outs) against three venues in three time zones, where every answer matches a model of
/// who is in, and the stats and the 90-day history equal a recount from the visits in the database.
/// </summary>
public sealed class VenueRecountTests
{
    private const int MaxSessionHours = 2;

    private sealed record VenueSpec(string Id, string Zone, int Capacity, bool Flag);

    [Theory]
    [InlineData("sqlite", 17)]
    [InlineData("postgres", 17)]
    [InlineData("sqlite", 4242)]
    public async Task Stats_equal_a_recount_after_a_random_run_of_1000_operations(string engine, int seed)
    {
        var random = new Random(seed);
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 3, 6, 20, 0, 0, TimeSpan.Zero)); // the run crosses New York's DST start (Mar 10)
        await using var chat = await ChatServer.StartAsync(engine,
            new() { ["Venues:MaxSessionHours"] = MaxSessionHours.ToString(System.Globalization.CultureInfo.InvariantCulture), ["Kit:PollMs"] = "100" }, clock);
        var host = chat.Server;
        VenueSpec[] venues =
        [
            new(await CreateVenueAsync(host, capacity: 3, timezone: "America/New_York"), "America/New_York", 3, false),
            new(await CreateVenueAsync(host, capacity: 4, timezone: "Pacific/Auckland", whenFull: "flag"), "Pacific/Auckland", 4, true),
            new(await CreateVenueAsync(host, capacity: 2, timezone: "UTC"), "UTC", 2, false),
        ];
        var members = Enumerable.Range(0, 8).Select(i => Users.New($"m{i}")).ToArray();
        var open = new Dictionary<(string Venue, string User), long>(); // the model: who is in where, since when
        using var server = AsServer(host);

        for (var op = 1; op <= 1000; op++)
        {
            var venue = venues[random.Next(venues.Length)];
            var member = members[random.Next(members.Length)];
            var roll = random.Next(100);
            if (roll < 45)
            {
                var answer = await CheckInAsync(server, venue.Id, member);
                var present = open.Keys.Count(k => k.Venue == venue.Id);
                var expected = open.ContainsKey((venue.Id, member)) ? "already_checked_in"
                    : present >= venue.Capacity && !venue.Flag ? "venue_full" : null;
                Assert.True(expected is null ? answer.Status == HttpStatusCode.Created : answer.Reason() == expected, $"op {op}: {answer}");
                if (expected is null)
                {
                    open[(venue.Id, member)] = clock.GetUtcNow().ToUnixTimeMilliseconds();
                    Assert.Equal(present >= venue.Capacity, answer.Body.GetProperty("over_capacity").GetBoolean());
                }
            }
            else if (roll < 85)
            {
                var answer = await CheckOutAsync(server, venue.Id, member);
                Assert.True(open.Remove((venue.Id, member)) ? answer.Status == HttpStatusCode.OK : answer.Reason() == "not_checked_in", $"op {op}: {answer}");
            }
            else
            {
                clock.Advance(TimeSpan.FromMinutes(random.Next(1, 240)));
            }
            clock.Advance(TimeSpan.FromMilliseconds(random.Next(1, 20_000))); // no two operations share a millisecond
            await SettleAsync(host, clock, open);
            if (op % 250 == 0)
            {
                foreach (var v in venues)
                {
                    await AssertRecountAsync(host, v, clock, open.Keys.Count(k => k.Venue == v.Id));
                }
            }
        }
    }

    /// <summary>Lets the scheduler check out every visit the clock has made due, and the model follow.</summary>
    private static async Task SettleAsync(TestServer host, FakeTimeProvider clock, Dictionary<(string, string), long> open)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var due = open.Where(o => o.Value + MaxSessionHours * 3_600_000L <= now).Select(o => o.Key).ToList();
        if (due.Count == 0)
        {
            return;
        }
        await DomainEventTests.WaitForAsync(async () => await CountDueJobsAsync(host, now) == 0);
        foreach (var key in due)
        {
            open.Remove(key);
        }
    }

    private static async Task AssertRecountAsync(TestServer host, VenueSpec venue, FakeTimeProvider clock, int modelPresent)
    {
        var visits = await VisitsAsync(host, venue.Id);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(venue.Zone);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var today = VenueDay.Of(now, zone);

        var stats = await StatsAsync(host, venue.Id);
        var recount = Recount(visits, zone, today);
        Assert.Equal(modelPresent, stats.GetProperty("present").GetInt64());
        Assert.Equal(visits.Count(v => v.CheckedOutMs is null), stats.GetProperty("present").GetInt64());
        Assert.Equal(VenueDay.Key(today), stats.GetProperty("day").GetString());
        Assert.Equal(recount, (stats.GetProperty("checkins_today").GetInt64(), stats.GetProperty("checkouts_today").GetInt64(),
            stats.GetProperty("avg_duration_s").GetInt64(), stats.GetProperty("peak_today").GetInt64(), Ms(stats.GetProperty("peak_at"))));

        using var server = AsServer(host);
        var history = (await server.GetAsync($"/api/venues/{venue.Id}/stats/history?days=90")).Body.GetProperty("days").EnumerateArray().ToList();
        Assert.Equal(90, history.Count);
        for (var i = 0; i < history.Count; i++)
        {
            var day = today.AddDays(-i);
            var d = history[i];
            Assert.Equal(VenueDay.Key(day), d.GetProperty("day").GetString());
            Assert.Equal(Recount(visits, zone, day), (d.GetProperty("checkins").GetInt64(), d.GetProperty("checkouts").GetInt64(),
                d.GetProperty("avg_duration_s").GetInt64(), d.GetProperty("peak").GetInt64(), Ms(d.GetProperty("peak_at"))));
        }
        Assert.Equal(visits.Count(v => v.CheckedOutMs is not null), await CountDomainEventsAsync(host, "checkin.completed", venue.Id));
        Assert.All(visits.Where(v => v.CheckedOutMs is not null), v => Assert.Equal((v.CheckedOutMs!.Value - v.CheckedInMs) / 1000, v.DurationS));
    }

    /// <summary>A local day's numbers from the visits alone: counts in the day, and the peak by replaying the day from its start.</summary>
    private static (long Checkins, long Checkouts, long Avg, long Peak, long? PeakAtMs) Recount(List<VisitRecord> visits, TimeZoneInfo zone, DateOnly day)
    {
        var (start, end) = (VenueDay.StartOf(day, zone), VenueDay.StartOf(day.AddDays(1), zone));
        bool InDay(long? ms) => ms >= start && ms < end;
        var ended = visits.Where(v => InDay(v.CheckedOutMs)).ToList();
        long occupancy = visits.Count(v => v.CheckedInMs < start && (v.CheckedOutMs is null || v.CheckedOutMs >= start));
        var (peak, peakAt) = (occupancy, occupancy > 0 ? start : (long?)null);
        var changes = visits.Where(v => InDay(v.CheckedInMs)).Select(v => (At: v.CheckedInMs, Delta: 1))
            .Concat(ended.Select(v => (At: v.CheckedOutMs!.Value, Delta: -1)))
            .OrderBy(c => c.At).ThenBy(c => c.Delta); // automatic check-outs run before an operation at the same instant
        foreach (var (at, delta) in changes)
        {
            occupancy += delta;
            if (occupancy > peak)
            {
                (peak, peakAt) = (occupancy, at);
            }
        }
        return (visits.Count(v => InDay(v.CheckedInMs)), ended.Count, ended.Count > 0 ? ended.Sum(v => v.DurationS!.Value) / ended.Count : 0, peak, peakAt);
    }


    private static long? Ms(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : new DateTimeOffset(e.GetDateTime().ToUniversalTime()).ToUnixTimeMilliseconds();
}
