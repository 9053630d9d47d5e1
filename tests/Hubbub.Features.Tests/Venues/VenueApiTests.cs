using System.Net;
using System.Text.Json;
using static Hubbub.Features.Tests.Venues.VenueHarness;

namespace Hubbub.Features.Tests.Venues;

public abstract class VenueServerFixture(string engine) : IAsyncLifetime
{
    public ChatServer Chat { get; private set; } = null!;

    public string Engine => engine;

    public async Task InitializeAsync() => Chat = await ChatServer.StartAsync(engine);

    public async Task DisposeAsync() => await Chat.DisposeAsync();
}

public sealed class SqliteVenueServer() : VenueServerFixture("sqlite");

public sealed class PostgresVenueServer() : VenueServerFixture("postgres");

public sealed class VenueApiSqliteTests(SqliteVenueServer fixture) : VenueApiTests(fixture), IClassFixture<SqliteVenueServer>;

public sealed class VenueApiPostgresTests(PostgresVenueServer fixture) : VenueApiTests(fixture), IClassFixture<PostgresVenueServer>;

/// <summary>
/// The check-ins API on one real server per database (FEATURES.md "Check-ins (venues)"): definitions by the server or an
/// admin only, check-in and check-out with their refusals, capacity, the WebSocket commands, activity and visits, live
/// events and the join state on <c>venue:{id}</c>, and bad or hostile input to every endpoint and command.
/// </summary>
public abstract class VenueApiTests(VenueServerFixture fixture)
{
    private TestServer Host => fixture.Chat.Server;

    [Fact]
    public async Task Empty_paging_parameters_read_the_first_page()
    {
        // FEATURES.md writes lists as ?before=&limit=: an empty before (or after) is the first page, not a 400.
        var venue = await CreateVenueAsync(Host);
        var ada = Users.New("ada");
        using var member = AsUser(Host, ada);
        Assert.Equal(HttpStatusCode.Created, (await CheckInAsync(member, venue)).Status);
        foreach (var path in new[] { $"/api/venues/{venue}/activity?before=&limit=10", "/api/venues/visits?before=&limit=5", "/api/venues?after=&limit=100" })
        {
            var page = await member.GetAsync(path);
            Assert.True(page.Status == HttpStatusCode.OK, $"{path}: {page}");
        }
        Assert.Single((await member.GetAsync("/api/venues/visits?before=")).Body.GetProperty("visits").EnumerateArray());
        Assert.Single((await member.GetAsync($"/api/venues/{venue}/activity?before=")).Body.GetProperty("activities").EnumerateArray());
    }

    [Fact]
    public async Task Venues_are_defined_by_the_server_or_an_admin_and_read_by_anyone_signed_in()
    {
        using var server = AsServer(Host);
        var created = await server.PostAsync("/api/venues",
            new { name = "  City Gym  ", capacity = 40, timezone = "Europe/Berlin", locations = new[] { "front desk", "pool", "pool" } });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var venue = created.Body;
        var id = venue.GetProperty("id").GetString()!;
        Assert.Equal("City Gym", venue.GetProperty("name").GetString());
        Assert.Equal(40, venue.GetProperty("capacity").GetInt32());
        Assert.Equal("Europe/Berlin", venue.GetProperty("timezone").GetString());
        Assert.Equal(["front desk", "pool"], venue.GetProperty("locations").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal("refuse", venue.GetProperty("when_full").GetString());
        var stats = venue.GetProperty("stats");
        Assert.Equal(0, stats.GetProperty("present").GetInt64());
        Assert.Equal(0, stats.GetProperty("checkins_today").GetInt64());
        Assert.Equal(0, stats.GetProperty("checkouts_today").GetInt64());
        Assert.Equal(0, stats.GetProperty("avg_duration_s").GetInt64()); // a number even before the first check-out
        Assert.Equal(0, stats.GetProperty("peak_today").GetInt64());

        var admin = Users.New("root");
        using var asAdmin = AsUser(Host, admin, roles: ["admin"]);
        var byAdmin = await asAdmin.PostAsync("/api/venues", new { id = "pool-" + Guid.NewGuid().ToString("N")[..8], name = "Pool", capacity = 5, timezone = "UTC" });
        Assert.Equal(HttpStatusCode.Created, byAdmin.Status);
        var again = await asAdmin.PostAsync("/api/venues", new { id = byAdmin.Body.GetProperty("id").GetString(), name = "Pool", capacity = 5, timezone = "UTC" });
        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.Equal("venue_exists", again.Reason());

        // A member reads, but defines nothing.
        var ada = Users.New("ada");
        using var asAda = AsUser(Host, ada);
        var read = await asAda.GetAsync($"/api/venues/{id}");
        Assert.Equal(HttpStatusCode.OK, read.Status);
        Assert.Equal("City Gym", read.Body.GetProperty("name").GetString());
        foreach (var refused in new[]
        {
            await asAda.PostAsync("/api/venues", new { name = "Mine", capacity = 1, timezone = "UTC" }),
            await asAda.SendAsync(HttpMethod.Patch, $"/api/venues/{id}", """{"name":"Hijacked"}"""),
            await asAda.SendAsync(HttpMethod.Put, $"/api/venues/{id}", """{"name":"Hijacked","capacity":1,"timezone":"UTC"}"""),
        })
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
            Assert.Equal("forbidden", refused.Code);
        }
        using var nobody = new Infrastructure.ServerApi(Host.BaseAddress);
        Assert.Equal(HttpStatusCode.Unauthorized, (await nobody.PostAsync("/api/venues", new { name = "X", capacity = 1, timezone = "UTC" })).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await nobody.GetAsync($"/api/venues/{id}")).Status);
        using var wrongKey = new Infrastructure.ServerApi(Host.BaseAddress, "not-the-key");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrongKey.PostAsync("/api/venues", new { name = "X", capacity = 1, timezone = "UTC" })).Status);

        // Edits: PATCH changes what it names; PUT replaces (and requires what a creation does).
        var patched = await server.SendAsync(HttpMethod.Patch, $"/api/venues/{id}", """{"capacity":50,"when_full":"flag"}""");
        Assert.Equal(HttpStatusCode.OK, patched.Status);
        Assert.Equal(50, patched.Body.GetProperty("capacity").GetInt32());
        Assert.Equal("City Gym", patched.Body.GetProperty("name").GetString());
        Assert.Equal("flag", patched.Body.GetProperty("when_full").GetString());
        Assert.Equal(2, patched.Body.GetProperty("locations").GetArrayLength());
        Assert.Equal("bad_request", (await server.SendAsync(HttpMethod.Put, $"/api/venues/{id}", """{"name":"Only a name"}""")).Code);
        var replaced = await server.SendAsync(HttpMethod.Put, $"/api/venues/{id}", """{"name":"City Gym 2","capacity":30,"timezone":"Asia/Tokyo"}""");
        Assert.Equal(HttpStatusCode.OK, replaced.Status);
        Assert.Equal("Asia/Tokyo", replaced.Body.GetProperty("timezone").GetString());
        Assert.Equal(0, replaced.Body.GetProperty("locations").GetArrayLength());
        Assert.Equal("refuse", replaced.Body.GetProperty("when_full").GetString());

        // Once it has visits, its time zone is fixed (its days were counted in it); the rest may change.
        Assert.Equal(HttpStatusCode.Created, (await CheckInAsync(server, id, Users.New("m"))).Status);
        var moved = await server.SendAsync(HttpMethod.Patch, $"/api/venues/{id}", """{"timezone":"UTC"}""");
        Assert.Equal(HttpStatusCode.Conflict, moved.Status);
        Assert.Equal("venue_has_visits", moved.Reason());
        Assert.Equal(HttpStatusCode.OK, (await server.SendAsync(HttpMethod.Patch, $"/api/venues/{id}", """{"timezone":"Asia/Tokyo","name":"Renamed"}""")).Status);

        // The list names its items and pages by id.
        var first = await asAda.GetAsync("/api/venues?limit=1");
        Assert.Equal(1, first.Body.GetProperty("venues").GetArrayLength());
        var cursor = first.Body.GetProperty("next_cursor").GetString();
        Assert.NotNull(cursor);
        var second = await asAda.GetAsync($"/api/venues?limit=100&after={Uri.EscapeDataString(cursor)}");
        Assert.All(second.Body.GetProperty("venues").EnumerateArray(), v => Assert.True(string.CompareOrdinal(v.GetProperty("id").GetString(), cursor) > 0));
        Assert.Contains(second.Body.GetProperty("venues").EnumerateArray().Concat(first.Body.GetProperty("venues").EnumerateArray()),
            v => v.GetProperty("id").GetString() == id);
        // ?before= takes next_cursor too, as on every other list (FEATURES.md); before, it was ignored and page one came back.
        var byBefore = await asAda.GetAsync($"/api/venues?limit=100&before={Uri.EscapeDataString(cursor)}");
        Assert.Equal(second.Body.GetProperty("venues").GetRawText(), byBefore.Body.GetProperty("venues").GetRawText());
        Assert.Equal(HttpStatusCode.BadRequest, (await asAda.GetAsync($"/api/venues?after={Uri.EscapeDataString(cursor)}&before=zzz")).Status);
    }

    [Fact]
    public async Task Check_in_and_out_refuse_doubles_and_a_full_venue_and_compute_the_duration()
    {
        var venue = await CreateVenueAsync(Host, capacity: 2, locations: ["front desk", "pool"]);
        var (ada, bob, cy) = (Users.New("ada"), Users.New("bob"), Users.New("cy"));
        using var asAda = AsUser(Host, ada, "Ada");
        var checkedIn = await asAda.PostAsync($"/api/venues/{venue}/checkins", new { location = "pool" });
        Assert.Equal(HttpStatusCode.Created, checkedIn.Status);
        Assert.Equal(ada, checkedIn.Body.GetProperty("user").GetString());
        Assert.Equal(venue, checkedIn.Body.GetProperty("venue").GetString());
        Assert.Equal("pool", checkedIn.Body.GetProperty("location").GetString());
        Assert.EndsWith("Z", checkedIn.Body.GetProperty("checked_in_at").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.String, checkedIn.Body.GetProperty("id").ValueKind);

        var twice = await asAda.SendAsync(HttpMethod.Post, $"/api/venues/{venue}/checkins", null); // an empty body is a check-in without location
        Assert.Equal(HttpStatusCode.Conflict, twice.Status);
        Assert.Equal("conflict", twice.Code);
        Assert.Equal("already_checked_in", twice.Reason());

        // A server checks in the member it names; the venue is then full.
        using var server = AsServer(Host);
        Assert.Equal(HttpStatusCode.Created, (await CheckInAsync(server, venue, bob)).Status);
        var full = await CheckInAsync(server, venue, cy);
        Assert.Equal(HttpStatusCode.Conflict, full.Status);
        Assert.Equal("venue_full", full.Reason());
        Assert.Equal(2, (await StatsAsync(Host, venue)).GetProperty("present").GetInt64());

        var out1 = await asAda.SendAsync(HttpMethod.Post, $"/api/venues/{venue}/checkout", "{}");
        Assert.Equal(HttpStatusCode.OK, out1.Status);
        Assert.Equal(checkedIn.Body.GetProperty("id").GetString(), out1.Body.GetProperty("id").GetString());
        Assert.Equal(checkedIn.Body.GetProperty("checked_in_at").GetString(), out1.Body.GetProperty("checked_in_at").GetString());
        var inAt = out1.Body.GetProperty("checked_in_at").GetDateTime();
        var outAt = out1.Body.GetProperty("checked_out_at").GetDateTime();
        Assert.Equal((long)(outAt - inAt).TotalSeconds, out1.Body.GetProperty("duration_s").GetInt64());
        Assert.False(out1.Body.GetProperty("auto").GetBoolean());
        var notIn = await asAda.SendAsync(HttpMethod.Post, $"/api/venues/{venue}/checkout", null);
        Assert.Equal(HttpStatusCode.Conflict, notIn.Status);
        Assert.Equal("not_checked_in", notIn.Reason());

        Assert.Equal(HttpStatusCode.Created, (await CheckInAsync(server, venue, cy)).Status); // a place came free
        var stats = await StatsAsync(Host, venue);
        Assert.Equal(2, stats.GetProperty("present").GetInt64());
        Assert.Equal(3, stats.GetProperty("checkins_today").GetInt64());
        Assert.Equal(1, stats.GetProperty("checkouts_today").GetInt64());
        Assert.Equal(2, stats.GetProperty("peak_today").GetInt64());
        Assert.Equal(1, await CountDomainEventsAsync(Host, "checkin.completed", venue));

        // A venue that flags lets the member in and says so.
        var flagging = await CreateVenueAsync(Host, capacity: 1, whenFull: "flag");
        Assert.False((await CheckInAsync(server, flagging, ada)).Body.GetProperty("over_capacity").GetBoolean());
        var over = await CheckInAsync(server, flagging, bob);
        Assert.Equal(HttpStatusCode.Created, over.Status);
        Assert.True(over.Body.GetProperty("over_capacity").GetBoolean());
        Assert.Equal(2, (await StatsAsync(Host, flagging)).GetProperty("present").GetInt64());

        // A venue that lists no locations takes any location text; one that lists some takes only those.
        var open = await CreateVenueAsync(Host, capacity: 5);
        var anywhere = await server.PostAsync($"/api/venues/{open}/checkins", new { user = ada, location = "front desk" });
        Assert.Equal(HttpStatusCode.Created, anywhere.Status);
        Assert.Equal("front desk", anywhere.Body.GetProperty("location").GetString());
    }

    [Fact]
    public async Task The_websocket_commands_go_through_the_same_service()
    {
        var venue = await CreateVenueAsync(Host, capacity: 1, locations: ["lobby"]);
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        await using var adaWs = await ConnectAsync(Host, ada, "Ada");
        var visit = await adaWs.OkAsync("venues.checkin", new { venue, location = "lobby" });
        Assert.Equal(ada, visit.GetProperty("user").GetString());
        Assert.Equal("lobby", visit.GetProperty("location").GetString());
        var twice = await adaWs.RequestAsync("venues.checkin", new { venue });
        Assert.Equal("conflict", twice.ErrorCode());
        Assert.Equal("already_checked_in", twice.GetProperty("data").GetProperty("reason").GetString());
        await using var bobWs = await ConnectAsync(Host, bob);
        var full = await bobWs.RequestAsync("venues.checkin", new { venue });
        Assert.Equal("venue_full", full.GetProperty("data").GetProperty("reason").GetString());
        Assert.Equal("forbidden", (await bobWs.RequestAsync("venues.checkout", new { venue, user = ada })).ErrorCode()); // not for another
        Assert.Equal("not_checked_in", (await bobWs.RequestAsync("venues.checkout", new { venue })).GetProperty("data").GetProperty("reason").GetString());
        var done = await adaWs.OkAsync("venues.checkout", new { venue });
        Assert.Equal(visit.GetProperty("id").GetString(), done.GetProperty("id").GetString());
        Assert.True(done.GetProperty("duration_s").GetInt64() >= 0);

        // The singular names answer the same (a client may guess <feature>.<verb> either way).
        var again = await adaWs.OkAsync("venue.checkin", new { venue });
        Assert.Equal("already_checked_in", (await adaWs.RequestAsync("venue.checkin", new { venue })).GetProperty("data").GetProperty("reason").GetString());
        Assert.Equal(again.GetProperty("id").GetString(), (await adaWs.OkAsync("venue.checkout", new { venue })).GetProperty("id").GetString());

        Assert.Equal("bad_request", (await bobWs.RequestAsync("venues.checkin", new { })).ErrorCode()); // no venue
        Assert.Equal("bad_request", (await bobWs.RequestAsync("venues.checkin", new { venue = 42 })).ErrorCode());
        Assert.Equal("bad_request", (await bobWs.RequestAsync("venues.checkin", "not an object")).ErrorCode());
        Assert.Equal("not_found", (await bobWs.RequestAsync("venues.checkin", new { venue = "no-such-venue" })).ErrorCode());
        Assert.Equal("bad_request", (await bobWs.RequestAsync("venues.checkin", new { venue, location = "roof" })).ErrorCode());
        Assert.Equal("too_large", (await bobWs.RequestAsync("venues.checkin", new { venue, location = new string('l', 101) })).ErrorCode());
    }

    [Fact]
    public async Task Bad_and_hostile_input_is_refused_with_a_clear_error_and_changes_nothing()
    {
        using var server = AsServer(Host);
        var venue = await CreateVenueAsync(Host, capacity: 3);
        async Task Refused(Task<Answer> call, HttpStatusCode status, string code)
        {
            var answer = await call;
            Assert.True(answer.Status == status, answer.ToString());
            Assert.Equal(code, answer.Code);
            Assert.False(string.IsNullOrEmpty(answer.Body.GetProperty("message").GetString()));
        }

        await Refused(server.SendAsync(HttpMethod.Post, "/api/venues", "{not json"), HttpStatusCode.BadRequest, "bad_request");
        await Refused(server.SendAsync(HttpMethod.Post, "/api/venues", "[]"), HttpStatusCode.BadRequest, "bad_request");
        await Refused(server.SendAsync(HttpMethod.Post, "/api/venues", null), HttpStatusCode.BadRequest, "bad_request");
        await Refused(server.SendAsync(HttpMethod.Post, "/api/venues", """{"name":"X","capacity":"ten","timezone":"UTC"}"""), HttpStatusCode.BadRequest, "bad_request");
        await Refused(server.PostAsync("/api/venues", new { capacity = 1, timezone = "UTC" }), HttpStatusCode.BadRequest, "bad_request");
        await Refused(server.PostAsync("/api/venues", new { name = "X", timezone = "UTC" }), HttpStatusCode.BadRequest, "bad_request");
        await Refused(server.PostAsync("/api/venues", new { name = "X", capacity = 0, timezone = "UTC" }), HttpStatusCode.BadRequest, "bad_request");
        await Refused(server.PostAsync("/api/venues", new { name = "X", capacity = -5, timezone = "UTC" }), HttpStatusCode.BadRequest, "bad_request");
        await Refused(server.PostAsync("/api/venues", new { name = "X", capacity = 1 }), HttpStatusCode.BadRequest, "bad_request");
        foreach (var zone in new[] { "Mars/Olympus", "../../etc/passwd", "", new string('A', 5000), "+02:00" })
        {
            await Refused(server.PostAsync("/api/venues", new { name = "X", capacity = 1, timezone = zone }), HttpStatusCode.BadRequest, "bad_request");
        }
        await Refused(server.PostAsync("/api/venues", new { name = new string('n', 201), capacity = 1, timezone = "UTC" }), HttpStatusCode.RequestEntityTooLarge, "too_large");
        await Refused(server.PostAsync("/api/venues", new { name = "   ", capacity = 1, timezone = "UTC" }), HttpStatusCode.BadRequest, "bad_request");
        await Refused(server.PostAsync("/api/venues", new { name = "a\u0000b", capacity = 1, timezone = "UTC" }), HttpStatusCode.BadRequest, "bad_request");
        await Refused(server.SendAsync(HttpMethod.Post, "/api/venues", """{"name":"\ud800","capacity":1,"timezone":"UTC"}"""), HttpStatusCode.BadRequest, "bad_request");
        await Refused(server.PostAsync("/api/venues", new { name = "X", capacity = 1, timezone = "UTC", locations = Enumerable.Range(0, 51).Select(i => $"l{i}") }),
            HttpStatusCode.RequestEntityTooLarge, "too_large");
        await Refused(server.PostAsync("/api/venues", new { name = "X", capacity = 1, timezone = "UTC", locations = new[] { new string('l', 101) } }),
            HttpStatusCode.RequestEntityTooLarge, "too_large");
        await Refused(server.PostAsync("/api/venues", new { name = "X", capacity = 1, timezone = "UTC", when_full = "maybe" }), HttpStatusCode.BadRequest, "bad_request");
        foreach (var id in new[] { "visits", "has space", "a/b", new string('v', 65), "" })
        {
            await Refused(server.PostAsync("/api/venues", new { id, name = "X", capacity = 1, timezone = "UTC" }), HttpStatusCode.BadRequest, "bad_request");
        }
        await Refused(server.SendAsync(HttpMethod.Post, "/api/venues", JsonSerializer.Serialize(new { name = new string('n', 20_000), capacity = 1, timezone = "UTC" })),
            HttpStatusCode.RequestEntityTooLarge, "too_large"); // beyond Venues:MaxBodyBytes

        // Unknown venues are not_found everywhere.
        await Refused(server.GetAsync("/api/venues/no-such-venue"), HttpStatusCode.NotFound, "not_found");
        await Refused(server.GetAsync("/api/venues/no-such-venue/activity"), HttpStatusCode.NotFound, "not_found");
        await Refused(server.GetAsync("/api/venues/no-such-venue/stats/history"), HttpStatusCode.NotFound, "not_found");
        await Refused(server.SendAsync(HttpMethod.Patch, "/api/venues/no-such-venue", """{"name":"X"}"""), HttpStatusCode.NotFound, "not_found");
        await Refused(CheckInAsync(server, "no-such-venue", Users.New("x")), HttpStatusCode.NotFound, "not_found");
        await Refused(CheckOutAsync(server, "no-such-venue", Users.New("x")), HttpStatusCode.NotFound, "not_found");

        // Check-ins: malformed bodies, a server naming nobody or a bad id, bad queries.
        var ada = Users.New("ada");
        using var asAda = AsUser(Host, ada);
        await Refused(asAda.SendAsync(HttpMethod.Post, $"/api/venues/{venue}/checkins", "{\"location\":"), HttpStatusCode.BadRequest, "bad_request");
        await Refused(asAda.SendAsync(HttpMethod.Post, $"/api/venues/{venue}/checkins", "\"text\""), HttpStatusCode.BadRequest, "bad_request");
        await Refused(asAda.SendAsync(HttpMethod.Post, $"/api/venues/{venue}/checkins", """{"location":7}"""), HttpStatusCode.BadRequest, "bad_request");
        await Refused(asAda.PostAsync($"/api/venues/{venue}/checkins", new { user = Users.New("bob") }), HttpStatusCode.Forbidden, "forbidden");
        await Refused(server.PostAsync($"/api/venues/{venue}/checkins", new { }), HttpStatusCode.BadRequest, "bad_request");
        await Refused(server.PostAsync($"/api/venues/{venue}/checkins", new { user = "not a user id" }), HttpStatusCode.BadRequest, "bad_request");
        using var nobody = new Infrastructure.ServerApi(Host.BaseAddress);
        await Refused(nobody.PostAsync($"/api/venues/{venue}/checkins", new { }), HttpStatusCode.Unauthorized, "unauthorized");
        await Refused(nobody.GetAsync("/api/venues/visits"), HttpStatusCode.Unauthorized, "unauthorized");
        await Refused(server.GetAsync("/api/venues/visits"), HttpStatusCode.BadRequest, "bad_request"); // a server names ?user=
        foreach (var query in new[] { "limit=0", "limit=101", "limit=ten", "before=garbage", "before=1.x" })
        {
            await Refused(asAda.GetAsync($"/api/venues/{venue}/activity?{query}"), HttpStatusCode.BadRequest, "bad_request");
        }
        foreach (var query in new[] { "days=0", "days=91", "days=-1", "days=1e3" })
        {
            await Refused(asAda.GetAsync($"/api/venues/{venue}/stats/history?{query}"), HttpStatusCode.BadRequest, "bad_request");
        }
        await Refused(asAda.GetAsync("/api/venues/visits?before=abc"), HttpStatusCode.BadRequest, "bad_request");
        await Refused(asAda.GetAsync("/api/venues?limit=1000"), HttpStatusCode.BadRequest, "bad_request");

        // Nothing of that changed the venue.
        var stats = await StatsAsync(Host, venue);
        Assert.Equal(0, stats.GetProperty("present").GetInt64());
        Assert.Equal(0, stats.GetProperty("checkins_today").GetInt64());
        Assert.Empty(await VisitsAsync(Host, venue));
    }

    [Fact]
    public async Task Activity_and_my_visits_are_newest_first_and_paged()
    {
        var venue = await CreateVenueAsync(Host, capacity: 10, locations: ["pool"]);
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        using var server = AsServer(Host);
        using var asAda = AsUser(Host, ada, "Ada");
        using var asBob = AsUser(Host, bob, "Bob");
        await asAda.PostAsync($"/api/venues/{venue}/checkins", new { location = "pool" });
        await asBob.PostAsync($"/api/venues/{venue}/checkins", new { });
        await asAda.PostAsync($"/api/venues/{venue}/checkout", new { });
        await asAda.PostAsync($"/api/venues/{venue}/checkins", new { });

        var page = await asBob.GetAsync($"/api/venues/{venue}/activity?limit=3");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        var items = page.Body.GetProperty("activities").EnumerateArray().ToList();
        Assert.Equal([("checkin", ada), ("checkout", ada), ("checkin", bob)],
            items.Select(i => (i.GetProperty("kind").GetString(), i.GetProperty("user").GetString())));
        Assert.Equal("Ada", items[0].GetProperty("name").GetString());
        Assert.True(items[1].GetProperty("duration_s").GetInt64() >= 0);
        Assert.Equal("pool", items[1].GetProperty("location").GetString());
        var rest = await asBob.GetAsync($"/api/venues/{venue}/activity?before={page.Body.GetProperty("next_cursor").GetString()}");
        var last = Assert.Single(rest.Body.GetProperty("activities").EnumerateArray());
        Assert.Equal(("checkin", ada), (last.GetProperty("kind").GetString(), last.GetProperty("user").GetString()));
        Assert.Equal(JsonValueKind.Null, rest.Body.GetProperty("next_cursor").ValueKind);
        Assert.Equal(4, (await asBob.GetAsync($"/api/venues/{venue}/activity")).Body.GetProperty("activities").GetArrayLength());

        var mine = await asAda.GetAsync("/api/venues/visits?limit=1");
        var newest = Assert.Single(mine.Body.GetProperty("visits").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, newest.GetProperty("checked_out_at").ValueKind);
        var older = await asAda.GetAsync($"/api/venues/visits?before={mine.Body.GetProperty("next_cursor").GetString()}");
        var first = Assert.Single(older.Body.GetProperty("visits").EnumerateArray());
        Assert.Equal("pool", first.GetProperty("location").GetString());
        Assert.Equal(venue, first.GetProperty("venue").GetString());
        Assert.Equal(2, (await server.GetAsync($"/api/venues/visits?user={ada}")).Body.GetProperty("visits").GetArrayLength());
        Assert.Single((await asBob.GetAsync("/api/venues/visits")).Body.GetProperty("visits").EnumerateArray()); // only mine
    }

    [Fact]
    public async Task A_subscriber_gets_the_state_and_every_change_live_and_may_not_publish()
    {
        var venue = await CreateVenueAsync(Host, capacity: 5, locations: ["front desk"]);
        var (ada, staff) = (Users.New("ada"), Users.New("staff"));
        using var server = AsServer(Host);
        using var asAda = AsUser(Host, ada, "Ada");
        await asAda.PostAsync($"/api/venues/{venue}/checkins", new { location = "front desk" });

        await using var dashboard = await ConnectAsync(Host, staff);
        var channel = $"venue:{venue}";
        var state = (await dashboard.SubscribeAsync(channel)).GetProperty("state");
        Assert.Equal(venue, state.GetProperty("id").GetString());
        Assert.Equal(1, state.GetProperty("stats").GetProperty("present").GetInt64());
        var seen = Assert.Single(state.GetProperty("activities").EnumerateArray());
        Assert.Equal(("checkin", ada, "Ada"), (seen.GetProperty("kind").GetString(), seen.GetProperty("user").GetString(), seen.GetProperty("name").GetString()));

        var bob = Users.New("bob");
        await using (var bobWs = await ConnectAsync(Host, bob, "Bob"))
        {
            await bobWs.OkAsync("venues.checkin", new { venue, location = "front desk" });
        }
        var checkedIn = await dashboard.NextAsync(f => f.Type() == "member_checked_in" && f.Channel() == channel);
        Assert.Equal(bob, checkedIn.GetProperty("data").GetProperty("user").GetString());
        Assert.Equal("Bob", checkedIn.GetProperty("data").GetProperty("name").GetString());
        Assert.Equal("front desk", checkedIn.GetProperty("data").GetProperty("location").GetString());
        Assert.EndsWith("Z", checkedIn.GetProperty("data").GetProperty("at").GetString(), StringComparison.Ordinal);
        var update = await dashboard.NextAsync(f => f.Type() == "stats_update" && f.Channel() == channel);
        Assert.Equal(2, update.GetProperty("data").GetProperty("stats").GetProperty("present").GetInt64());
        Assert.Equal(2, update.GetProperty("data").GetProperty("stats").GetProperty("checkins_today").GetInt64());
        // The live stats are built from what the change wrote, not read again: they must equal a read of the venue.
        Assert.Equal((await server.GetAsync($"/api/venues/{venue}")).Body.GetProperty("stats").GetRawText(),
            update.GetProperty("data").GetProperty("stats").GetRawText());
        var note = await dashboard.NextAsync(f => f.Type() == "activity_notification" && f.Channel() == channel);
        Assert.Equal("checkin", note.GetProperty("data").GetProperty("kind").GetString());
        Assert.Equal("Bob checked in at front desk", note.GetProperty("data").GetProperty("text").GetString());

        Assert.Equal(HttpStatusCode.OK, (await CheckOutAsync(server, venue, ada)).Status);
        var checkedOut = await dashboard.NextAsync(f => f.Type() == "member_checked_out" && f.Channel() == channel);
        Assert.Equal(ada, checkedOut.GetProperty("data").GetProperty("user").GetString());
        Assert.Equal("Ada", checkedOut.GetProperty("data").GetProperty("name").GetString());
        Assert.False(checkedOut.GetProperty("data").GetProperty("auto").GetBoolean());
        Assert.True(checkedOut.GetProperty("data").GetProperty("duration_s").GetInt64() >= 0);
        var after = await dashboard.NextAsync(f => f.Type() == "stats_update" && f.Channel() == channel);
        Assert.Equal(1, after.GetProperty("data").GetProperty("stats").GetProperty("present").GetInt64());
        Assert.Equal(1, after.GetProperty("data").GetProperty("stats").GetProperty("checkouts_today").GetInt64());
        Assert.Equal((await server.GetAsync($"/api/venues/{venue}")).Body.GetProperty("stats").GetRawText(),
            after.GetProperty("data").GetProperty("stats").GetRawText());
        var outNote = await dashboard.NextAsync(f => f.Type() == "activity_notification" && f.Channel() == channel);
        Assert.Equal("checkout", outNote.GetProperty("data").GetProperty("kind").GetString());
        Assert.StartsWith("Ada checked out after", outNote.GetProperty("data").GetProperty("text").GetString(), StringComparison.Ordinal);

        // Only the server publishes here; an unknown venue is not_found, as its REST read (FEATURES.md "unknown ids are not_found").
        Assert.Equal("forbidden", (await dashboard.RequestAsync("publish", new { channel, @event = "member_checked_in", data = new { user = "fake" } })).ErrorCode());
        // Typing and cursors are a client's payload relayed to every subscriber: refused where only the server speaks.
        Assert.Equal("forbidden", (await dashboard.RequestAsync("typing", new { channel, is_typing = true })).ErrorCode());
        Assert.Equal("forbidden", (await dashboard.RequestAsync("cursor", new { channel, x = 1, y = 2 })).ErrorCode());
        Assert.Equal("not_found", (await dashboard.RequestAsync("subscribe", new { channel = "venue:no-such-venue" })).ErrorCode());
        Assert.Equal("not_found", (await dashboard.RequestAsync("history", new { channel = "venue:no-such-venue" })).ErrorCode());
        var pending = await dashboard.PendingAfterSyncAsync(f => f.Channel() == channel);
        Assert.DoesNotContain(pending, f => f.Type() == "member_checked_in");
    }

    [Fact]
    public async Task Parallel_check_ins_of_one_member_let_exactly_one_in()
    {
        var venue = await CreateVenueAsync(Host, capacity: 100);
        var ada = Users.New("ada");
        using var server = AsServer(Host);
        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => CheckInAsync(server, venue, ada))));
        Assert.Equal(1, answers.Count(a => a.Status == HttpStatusCode.Created));
        Assert.All(answers.Where(a => a.Status != HttpStatusCode.Created), a => Assert.Equal("already_checked_in", a.Reason()));
        var stats = await StatsAsync(Host, venue);
        Assert.Equal(1, stats.GetProperty("present").GetInt64());
        Assert.Equal(1, stats.GetProperty("checkins_today").GetInt64());
        Assert.Single(await VisitsAsync(Host, venue));

        // And parallel check-outs of that member: one ends the visit, the rest find none open.
        var outs = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => CheckOutAsync(server, venue, ada))));
        Assert.Equal(1, outs.Count(a => a.Status == HttpStatusCode.OK));
        Assert.All(outs.Where(a => a.Status != HttpStatusCode.OK), a => Assert.Equal("not_checked_in", a.Reason()));
        Assert.Equal(1, (await StatsAsync(Host, venue)).GetProperty("checkouts_today").GetInt64());
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_venue_endpoints()
    {
        using var anonymous = new Infrastructure.ServerApi(Host.BaseAddress);
        var doc = await anonymous.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, doc.Status);
        var paths = doc.Body.GetProperty("paths");
        foreach (var path in new[] { "/api/venues", "/api/venues/visits", "/api/venues/{id}", "/api/venues/{id}/checkins", "/api/venues/{id}/checkout",
            "/api/venues/{id}/activity", "/api/venues/{id}/stats/history" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"missing {path}");
        }
        Assert.True(paths.GetProperty("/api/venues/{id}").TryGetProperty("patch", out _));
        Assert.True(paths.GetProperty("/api/venues/{id}").TryGetProperty("put", out _));
        Assert.Contains("\"checkins_today\"", doc.Body.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parallel_check_ins_of_many_members_never_pass_the_capacity()
    {
        var venue = await CreateVenueAsync(Host, capacity: 5);
        using var server = AsServer(Host);
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => CheckInAsync(server, venue, Users.New($"m{i}")))));
        Assert.Equal(5, answers.Count(a => a.Status == HttpStatusCode.Created));
        Assert.All(answers.Where(a => a.Status != HttpStatusCode.Created), a => Assert.Equal("venue_full", a.Reason()));
        var stats = await StatsAsync(Host, venue);
        Assert.Equal(5, stats.GetProperty("present").GetInt64());
        Assert.Equal(5, stats.GetProperty("peak_today").GetInt64());
    }
}
