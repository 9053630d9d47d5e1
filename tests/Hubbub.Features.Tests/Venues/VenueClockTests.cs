using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using static Hubbub.Features.Tests.Venues.VenueHarness;

namespace Hubbub.Features.Tests.Venues;

/// <summary>
/// Check-ins on a fake clock, each test on servers of its own: the automatic check-out (when due, and after a restart
/// that missed it), local days in two time zones, and one member checked in from two nodes of one database.
/// </summary>
public sealed class VenueClockTests
{
    private static readonly DateTimeOffset Start = new(2030, 1, 15, 10, 30, 0, TimeSpan.Zero);

    private static Dictionary<string, string?> Settings(ChatDatabase database, string? dataDirectory = null)
    {
        var settings = new Dictionary<string, string?>(database.Settings) { ["Venues:MaxSessionHours"] = "1", ["Kit:PollMs"] = "200" };
        if (dataDirectory is not null)
        {
            settings["Hubbub:DataDirectory"] = dataDirectory; // two servers, or a restart, on one SQLite file
        }
        return settings;
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_visit_left_open_past_the_maximum_is_checked_out_by_the_server(string engine)
    {
        await using var database = await ChatDatabase.CreateAsync(engine);
        var clock = new FakeTimeProvider(Start);
        using var host = new TestServer(Settings(database), clock);
        var venue = await CreateVenueAsync(host, capacity: 3);
        var ada = Users.New("ada");
        await using var dashboard = await ConnectAsync(host, Users.New("staff"));
        await dashboard.SubscribeAsync($"venue:{venue}");
        using var server = AsServer(host);
        Assert.Equal(HttpStatusCode.Created, (await CheckInAsync(server, venue, ada)).Status);

        clock.Advance(TimeSpan.FromMinutes(59));
        await Task.Delay(300);
        Assert.Null(Assert.Single(await VisitsAsync(host, venue)).CheckedOutMs); // not due yet

        clock.Advance(TimeSpan.FromMinutes(2));
        var closed = await dashboard.NextAsync(f => f.Type() == "member_checked_out");
        Assert.True(closed.GetProperty("data").GetProperty("auto").GetBoolean());
        Assert.Equal(ada, closed.GetProperty("data").GetProperty("user").GetString());
        Assert.Equal(61 * 60, closed.GetProperty("data").GetProperty("duration_s").GetInt64());
        var stats = (await dashboard.NextAsync(f => f.Type() == "stats_update"
            && f.GetProperty("data").GetProperty("stats").GetProperty("checkouts_today").GetInt64() == 1)).GetProperty("data").GetProperty("stats");
        Assert.Equal(0, stats.GetProperty("present").GetInt64());
        Assert.Equal(1, stats.GetProperty("checkouts_today").GetInt64());
        Assert.Equal(61 * 60, stats.GetProperty("avg_duration_s").GetInt64());

        var visit = Assert.Single(await VisitsAsync(host, venue));
        Assert.Equal(1, visit.Auto);
        Assert.Equal(Start.AddMinutes(61).ToUnixTimeMilliseconds(), visit.CheckedOutMs);
        Assert.Equal(1, await CountDomainEventsAsync(host, "checkin.completed", venue));
        var mine = await server.GetAsync($"/api/venues/visits?user={ada}");
        Assert.True(mine.Body.GetProperty("visits")[0].GetProperty("auto").GetBoolean());
        Assert.Equal("not_checked_in", (await CheckOutAsync(server, venue, ada)).Reason());

        // A visit ended by hand takes its job with it: nothing runs for it later.
        Assert.Equal(HttpStatusCode.Created, (await CheckInAsync(server, venue, ada)).Status);
        Assert.Equal(HttpStatusCode.OK, (await CheckOutAsync(server, venue, ada)).Status);
        clock.Advance(TimeSpan.FromHours(2));
        await Task.Delay(300);
        Assert.Equal(1, (await VisitsAsync(host, venue)).Count(v => v.Auto == 1));
        Assert.Equal(0, await CountDueJobsAsync(host, clock.GetUtcNow().ToUnixTimeMilliseconds()));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_check_out_due_while_the_server_was_down_happens_when_it_starts(string engine)
    {
        await using var database = await ChatDatabase.CreateAsync(engine);
        using var folder = new SharedDataDirectory();
        var data = folder.Path;
        string venue;
        var ada = Users.New("ada");
        using (var before = new TestServer(Settings(database, data), new FakeTimeProvider(Start)))
        {
            venue = await CreateVenueAsync(before, capacity: 3);
            using var server = AsServer(before);
            Assert.Equal(HttpStatusCode.Created, (await CheckInAsync(server, venue, ada)).Status);
        }

        // The server comes back three hours later, its clock frozen there: only the start can run the job.
        var later = Start.AddHours(3);
        using var after = new TestServer(Settings(database, data), new FakeTimeProvider(later));
        await DomainEventTests.WaitForAsync(async () => (await VisitsAsync(after, venue)).Single().CheckedOutMs is not null);
        var visit = Assert.Single(await VisitsAsync(after, venue));
        Assert.Equal(1, visit.Auto);
        Assert.Equal(later.ToUnixTimeMilliseconds(), visit.CheckedOutMs); // ended when the server could end it
        Assert.Equal(3 * 3600, visit.DurationS);
        var stats = await StatsAsync(after, venue);
        Assert.Equal(0, stats.GetProperty("present").GetInt64());
        Assert.Equal(1, stats.GetProperty("checkouts_today").GetInt64());
        Assert.Equal(1, await CountDomainEventsAsync(after, "checkin.completed", venue));
    }

    [Fact]
    public async Task Stats_count_each_venues_own_local_day_in_two_time_zones()
    {
        await using var database = await ChatDatabase.CreateAsync("sqlite");
        var clock = new FakeTimeProvider(Start); // 10:30Z: 23:30 on Jan 15 in Auckland (+13), 02:30 on Jan 15 in Los Angeles (-8)
        using var host = new TestServer(new(database.Settings) { ["Venues:MaxSessionHours"] = "12" }, clock);
        var auckland = await CreateVenueAsync(host, timezone: "Pacific/Auckland");
        var losAngeles = await CreateVenueAsync(host, timezone: "America/Los_Angeles");
        var ada = Users.New("ada");
        using var server = AsServer(host);
        foreach (var venue in new[] { auckland, losAngeles })
        {
            Assert.Equal(HttpStatusCode.Created, (await CheckInAsync(server, venue, ada)).Status);
            var s = await StatsAsync(host, venue);
            Assert.Equal(1, s.GetProperty("checkins_today").GetInt64());
            Assert.Equal("2030-01-15", s.GetProperty("day").GetString());
        }

        clock.Advance(TimeSpan.FromHours(1)); // 11:30Z: 00:30 on Jan 16 in Auckland, still Jan 15 in Los Angeles
        var nz = await StatsAsync(host, auckland);
        Assert.Equal("2030-01-16", nz.GetProperty("day").GetString());
        Assert.Equal(0, nz.GetProperty("checkins_today").GetInt64());
        Assert.Equal(1, nz.GetProperty("present").GetInt64());
        Assert.Equal(1, nz.GetProperty("peak_today").GetInt64()); // present since Auckland's midnight...
        Assert.Equal(new DateTime(2030, 1, 15, 11, 0, 0, DateTimeKind.Utc), nz.GetProperty("peak_at").GetDateTime().ToUniversalTime()); // ...which was 11:00Z
        var la = await StatsAsync(host, losAngeles);
        Assert.Equal("2030-01-15", la.GetProperty("day").GetString());
        Assert.Equal(1, la.GetProperty("checkins_today").GetInt64());
        Assert.Equal(Start.UtcDateTime, la.GetProperty("peak_at").GetDateTime().ToUniversalTime());

        foreach (var venue in new[] { auckland, losAngeles })
        {
            var done = await CheckOutAsync(server, venue, ada);
            Assert.Equal(3600, done.Body.GetProperty("duration_s").GetInt64());
        }
        nz = await StatsAsync(host, auckland);
        Assert.Equal((0L, 1L, 3600L, 0L), (nz.GetProperty("checkins_today").GetInt64(), nz.GetProperty("checkouts_today").GetInt64(),
            nz.GetProperty("avg_duration_s").GetInt64(), nz.GetProperty("present").GetInt64()));
        la = await StatsAsync(host, losAngeles);
        Assert.Equal((1L, 1L, 3600L), (la.GetProperty("checkins_today").GetInt64(), la.GetProperty("checkouts_today").GetInt64(),
            la.GetProperty("avg_duration_s").GetInt64()));

        var history = (await server.GetAsync($"/api/venues/{auckland}/stats/history?days=3")).Body;
        Assert.Equal("Pacific/Auckland", history.GetProperty("timezone").GetString());
        var days = history.GetProperty("days").EnumerateArray().ToList();
        Assert.Equal(["2030-01-16", "2030-01-15", "2030-01-14"], days.Select(d => d.GetProperty("day").GetString()));
        Assert.Equal((0L, 1L, 1L), (days[0].GetProperty("checkins").GetInt64(), days[0].GetProperty("checkouts").GetInt64(), days[0].GetProperty("peak").GetInt64()));
        Assert.Equal((1L, 0L, 1L), (days[1].GetProperty("checkins").GetInt64(), days[1].GetProperty("checkouts").GetInt64(), days[1].GetProperty("peak").GetInt64()));
        Assert.Equal((0L, 0L, JsonValueKind.Null), (days[2].GetProperty("checkins").GetInt64(), days[2].GetProperty("peak").GetInt64(),
            days[2].GetProperty("peak_at").ValueKind));

        clock.Advance(TimeSpan.FromHours(21)); // 08:30Z on Jan 16: 00:30 on Jan 16 in Los Angeles, a new empty day there
        la = await StatsAsync(host, losAngeles);
        Assert.Equal("2030-01-16", la.GetProperty("day").GetString());
        Assert.Equal((0L, 0L, 0L), (la.GetProperty("checkins_today").GetInt64(), la.GetProperty("checkouts_today").GetInt64(), la.GetProperty("peak_today").GetInt64()));
        Assert.Equal(0, la.GetProperty("avg_duration_s").GetInt64());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task One_member_checking_in_on_two_nodes_at_once_gets_in_once(string engine)
    {
        await using var database = await ChatDatabase.CreateAsync(engine);
        using var folder = new SharedDataDirectory();
        var data = folder.Path;
        using var a = new TestServer(Settings(database, data));
        using var b = new TestServer(Settings(database, data));
        var venue = await CreateVenueAsync(a, capacity: 50);
        using var onA = AsServer(a);
        using var onB = AsServer(b);
        for (var round = 0; round < 5; round++)
        {
            var member = Users.New($"m{round}");
            var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(() => CheckInAsync(i % 2 == 0 ? onA : onB, venue, member))));
            Assert.Equal(1, answers.Count(x => x.Status == HttpStatusCode.Created));
            Assert.All(answers.Where(x => x.Status != HttpStatusCode.Created), x => Assert.Equal("already_checked_in", x.Reason()));
        }
        foreach (var host in new[] { a, b })
        {
            var stats = await StatsAsync(host, venue);
            Assert.Equal(5, stats.GetProperty("present").GetInt64());
            Assert.Equal(5, stats.GetProperty("checkins_today").GetInt64());
        }
        Assert.Equal(5, (await VisitsAsync(a, venue)).Count);
    }
}

/// <summary>A data folder two servers (or a server and its restart) share, so they use one SQLite file; removed afterwards.</summary>
internal sealed class SharedDataDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("hubbub-venues-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a stopping server; the OS cleans the temp folder.
        }
    }
}
