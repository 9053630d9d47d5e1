using System.Net;
using System.Text.Json;
using Hubbub.Features.Tests.Infrastructure;

namespace Hubbub.Features.Tests.Gamification;

/// <summary>
/// Event data a rule reads that no database or client can hold as it is. Found by a black-box audit: two events of
/// <c>1e308</c> on an <c>incr</c> board made the score infinite and every later event of the user a 500; a NUL in a
/// field an activity rule's title names made the activity fail on PostgreSQL on every retry and never appear.
/// </summary>
public abstract class HostileEventDataTests(GameFixture fixture)
{
    private ChatServer Chat => fixture.Chat;

    private const double MaxCounted = 9_007_199_254_740_991;

    [Fact]
    public async Task Numbers_past_the_largest_safe_integer_count_as_missing_and_nothing_overflows()
    {
        using var server = Game.Server(Chat);
        var type = Game.Fresh("big");
        var (sum, challengeBoard) = (Game.Fresh("sum"), Game.Fresh("sum"));
        await server.DefineAsync("/api/leaderboards", new { key = sum, name = "Sum", source = $"{type}:v", @operator = "incr" });
        await server.DefineAsync("/api/achievements", new { key = challengeBoard, name = "Huge", rarity = "rare", xp = 5, type, field = "v", threshold = 1e12 });
        var ada = Users.New("ada");

        foreach (var huge in new[] { 1e308, 1e308, -1.5e308, MaxCounted + 2 })
        {
            var effects = await server.EventAsync(ada, type, new { v = huge });
            Assert.Empty(effects.GetProperty("leaderboards").EnumerateArray());
            Assert.Empty(effects.GetProperty("achievements").EnumerateArray());
        }
        var counted = await server.EventAsync(ada, type, new { v = MaxCounted });
        Assert.Equal(MaxCounted, counted.GetProperty("leaderboards")[0].GetProperty("score").GetDouble());
        Assert.Single(counted.GetProperty("achievements").EnumerateArray());
        var again = await server.EventAsync(ada, type, new { v = MaxCounted }); // a sum past it is still finite
        Assert.Equal(2 * MaxCounted, again.GetProperty("leaderboards")[0].GetProperty("score").GetDouble());

        var board = await server.GetAsync($"/api/leaderboards/{sum}");
        Assert.True(board.Status == HttpStatusCode.OK, board.ToString());
        Assert.Equal(2 * MaxCounted, board.Body.GetProperty("entries")[0].GetProperty("score").GetDouble());
        var profile = await server.GetAsync($"/api/users/{ada}/profile");
        Assert.True(profile.Status == HttpStatusCode.OK, profile.ToString());
    }

    [Theory]
    [InlineData("""a\u0000b""", "did ab")]
    [InlineData("""\u0000x\u0000""", "did x")]
    public async Task A_NUL_in_a_field_a_rules_title_names_still_makes_the_activity_without_it(string escaped, string title)
    {
        using var server = Game.Server(Chat);
        var type = Game.Fresh("nul");
        await server.DefineAsync("/api/activity-rules", new { type, title = "did {s}", description = "{s}" });
        var ada = Users.New("ada");
        var body = $$$"""{"id":"{{{Guid.NewGuid():N}}}","user":"{{{ada}}}","type":"{{{type}}}","data":{"s":"{{{escaped}}}"}}""";
        var answer = await server.SendAsync(HttpMethod.Post, "/api/events", body);
        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        var activity = answer.Body.GetProperty("effects").GetProperty("activity");
        Assert.Equal(JsonValueKind.Object, activity.ValueKind);
        Assert.Equal(title, activity.Str("title"));
        using var api = Chat.Api(ada, "Ada");
        var feed = (await api.GetAsync("/api/feed")).Body.GetProperty("activities");
        Assert.Contains(feed.EnumerateArray(), a => a.Str("id") == activity.Str("id"));
    }

    [Fact]
    public async Task An_unpaired_surrogate_in_event_data_is_refused_before_anything_happens()
    {
        using var server = Game.Server(Chat);
        var type = Game.Fresh("sur");
        await server.DefineAsync("/api/activity-rules", new { type, title = "did {s}" });
        var id = Guid.NewGuid().ToString("N");
        var body = $$$"""{"id":"{{{id}}}","user":"{{{Users.New("ada")}}}","type":"{{{type}}}","data":{"s":"a\ud800b"}}""";
        var answer = await server.SendAsync(HttpMethod.Post, "/api/events", body);
        Assert.Equal((HttpStatusCode.BadRequest, "bad_request"), (answer.Status, answer.Body.Str("code")));
    }

    [Fact]
    public async Task An_events_data_over_its_limit_is_too_large_and_its_batch_runs_nothing()
    {
        using var server = Game.Server(Chat);
        var type = Game.Fresh("big");
        await server.DefineAsync("/api/rules", new { type, xp = 5 });
        var ada = Users.New("ada");
        var fits = new string('x', 64 * 1024 - 20); // {"route":"…"} just under 64 KiB
        Assert.Equal(5, (await server.EventAsync(ada, type, new { route = fits })).Long("xp"));
        var over = new string('x', 64 * 1024);
        var single = await server.PostAsync("/api/events", new { id = Guid.NewGuid().ToString("N"), user = ada, type, data = new { route = over } });
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "too_large"), (single.Status, single.Body.Str("code")));
        var batch = await server.PostAsync("/api/events", new
        {
            events = new object[]
            {
                new { id = Guid.NewGuid().ToString("N"), user = ada, type },
                new { id = Guid.NewGuid().ToString("N"), user = ada, type, data = new { route = over } },
            },
        });
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "too_large"), (batch.Status, batch.Body.Str("code")));
        Assert.Contains("events[1]", batch.Body.Str("message"));
        Assert.Equal(5, (await server.GetAsync($"/api/users/{ada}/profile")).Body.Long("xp")); // neither ran
    }

    [Fact]
    public async Task A_user_named_me_is_refused_for_me_names_the_caller_and_its_data_could_never_be_read()
    {
        using var server = Game.Server(Chat);
        var type = Game.Fresh("me");
        foreach (var (path, body) in new[]
        {
            ("/api/events", $$"""{"id":"{{Guid.NewGuid():N}}","user":"me","type":"{{type}}"}"""),
            ("/api/events", $$"""{"events":[{"id":"{{Guid.NewGuid():N}}","user":"me","type":"{{type}}"}]}"""),
            ("/api/wallet/grants", $$"""{"id":"{{Guid.NewGuid():N}}","user":"me","currency":"coins","amount":5}"""),
        })
        {
            var answer = await server.SendAsync(HttpMethod.Post, path, body);
            Assert.Equal((HttpStatusCode.BadRequest, "bad_request"), (answer.Status, answer.Body.Str("code")));
            Assert.Contains("names the caller", answer.Body.Str("message"));
        }
    }
}

public sealed class SqliteHostileEventDataTests(SqliteGame fixture) : HostileEventDataTests(fixture), IClassFixture<SqliteGame>;

public sealed class PostgresHostileEventDataTests(PostgresGame fixture) : HostileEventDataTests(fixture), IClassFixture<PostgresGame>;
