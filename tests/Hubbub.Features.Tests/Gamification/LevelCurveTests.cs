using System.Net;
using System.Text.Json;
using Hubbub.Features.Tests.Infrastructure;

namespace Hubbub.Features.Tests.Gamification;

/// <summary>
/// <c>/api/levels</c>: the level curve is a definition like the others (the issue: rules "stored in the database, managed
/// through an admin REST API and seedable from a JSON file … a level curve"): read by anyone signed in, stored, replaced
/// and removed by a server or an admin only, validated whole, applying to the events after it. The class has a server
/// of its own (a stored curve is the server's), so its tests leave the configured curve in force when they end.
/// </summary>
public abstract class LevelCurveTests(GameFixture fixture)
{
    private ChatServer Chat => fixture.Chat;

    public static TheoryData<string, HttpStatusCode, string> BadCurves() => new()
    {
        { """{}""", HttpStatusCode.BadRequest, "'thresholds'" },
        { """{"thresholds":[]}""", HttpStatusCode.BadRequest, "'thresholds'" },
        { """{"thresholds":[0]}""", HttpStatusCode.BadRequest, "entry 0" },
        { """{"thresholds":[-5,10]}""", HttpStatusCode.BadRequest, "entry 0" },
        { """{"thresholds":[100,100]}""", HttpStatusCode.BadRequest, "entry 1" },
        { """{"thresholds":[100,300,200]}""", HttpStatusCode.BadRequest, "entry 2" },
        { """{"thresholds":[100,9007199254740992]}""", HttpStatusCode.BadRequest, "entry 1" },
        { """{"thresholds":["a"]}""", HttpStatusCode.BadRequest, "JSON" },
        { """{"thresholds":[1.5]}""", HttpStatusCode.BadRequest, "JSON" },
        { """{"thresholds":100}""", HttpStatusCode.BadRequest, "JSON" },
        { """[100,300]""", HttpStatusCode.BadRequest, "JSON" },
        { "", HttpStatusCode.BadRequest, "body" },
        { $$"""{"thresholds":[{{string.Join(",", Enumerable.Range(1, 1001))}}]}""", HttpStatusCode.RequestEntityTooLarge, "at most 1000" },
    };

    [Theory]
    [MemberData(nameof(BadCurves))]
    public async Task A_bad_curve_is_refused_with_the_reason_and_the_curve_in_force_is_unchanged(string body, HttpStatusCode status, string reason)
    {
        using var server = Game.Server(Chat);
        var before = (await server.GetAsync("/api/levels")).Body.ToString();
        foreach (var method in new[] { HttpMethod.Post, HttpMethod.Put })
        {
            var answer = await server.SendAsync(method, "/api/levels", body);
            Assert.True(answer.Status == status, $"{method}: {answer}");
            Assert.Contains(reason, answer.Body.Str("message"), StringComparison.Ordinal);
        }
        Assert.Equal(before, (await server.GetAsync("/api/levels")).Body.ToString());
    }

    [Fact]
    public async Task The_curve_is_read_stored_replaced_and_removed_and_a_change_applies_to_later_events()
    {
        using var server = Game.Server(Chat);
        var configured = (await server.GetAsync("/api/levels")).Body;
        Assert.Equal(("configuration", 100, 100L, 300L), (configured.Str("source"), configured.GetProperty("max_level").GetInt32(),
            configured.GetProperty("thresholds")[0].GetInt64(), configured.GetProperty("thresholds")[1].GetInt64()));
        Assert.Equal(JsonValueKind.Null, configured.GetProperty("created_at").ValueKind);

        var type = Game.Fresh("lesson");
        await server.DefineAsync("/api/rules", new { type, xp = 150 });
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        Assert.Equal(2, (await server.EventAsync(ada, type)).GetProperty("level").GetInt32()); // 150 XP: level 2 of the default curve

        var stored = await server.DefineAsync("/api/levels", new { thresholds = new[] { 50, 120, 1000 } });
        Assert.Equal(("stored", 4), (stored.Str("source"), stored.GetProperty("max_level").GetInt32()));
        Assert.Equal([50L, 120L, 1000L], stored.GetProperty("thresholds").EnumerateArray().Select(t => t.GetInt64()));
        Assert.Equal(stored.ToString(), (await server.GetAsync("/api/levels")).Body.ToString());

        // The profile reads the curve in force; the XP earned before is kept.
        var profile = (await server.GetAsync($"/api/users/{ada}/profile")).Body;
        Assert.Equal((150L, 3, 120L, 1000L), (profile.Long("xp"), profile.GetProperty("level").GetInt32(), profile.Long("level_xp"), profile.Long("next_level_xp")));
        // A later event levels up by the new curve, and is told so live and in its effects.
        await using var ws = await Chat.ConnectAsync(bob, "Bob");
        await ws.SubscribeAsync($"user:{bob}");
        var effects = await server.EventAsync(bob, type);
        Assert.Equal((3, 1), (effects.GetProperty("level").GetInt32(), effects.GetProperty("previous_level").GetInt32()));
        var levelUp = (await ws.NextAsync(f => f.Type() == "level_up")).GetProperty("data");
        Assert.Equal((3L, 1L), (levelUp.Long("level"), levelUp.Long("previous")));

        var replaced = await server.PutAsync("/api/levels", new { thresholds = new[] { 1000 } });
        Assert.Equal((HttpStatusCode.OK, 2), (replaced.Status, replaced.Body.GetProperty("max_level").GetInt32()));
        Assert.Equal(1, (await server.GetAsync($"/api/users/{ada}/profile")).Body.GetProperty("level").GetInt32());

        Assert.Equal(HttpStatusCode.NoContent, (await server.SendAsync(HttpMethod.Delete, "/api/levels")).Status);
        Assert.Equal(configured.ToString(), (await server.GetAsync("/api/levels")).Body.ToString());
        Assert.Equal(2, (await server.GetAsync($"/api/users/{ada}/profile")).Body.GetProperty("level").GetInt32());
        var again = await server.SendAsync(HttpMethod.Delete, "/api/levels");
        Assert.Equal((HttpStatusCode.NotFound, "not_found"), (again.Status, again.Code));
    }

    [Fact]
    public async Task Anyone_signed_in_reads_the_curve_and_only_a_server_or_an_admin_changes_it()
    {
        using var server = Game.Server(Chat);
        using var user = Chat.Api(Users.New("ada"), "Ada");
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/api/levels")).Status);
        foreach (var method in new[] { HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete })
        {
            var refused = await user.SendAsync(method, "/api/levels", """{"thresholds":[10]}""");
            Assert.True((refused.Status, refused.Code) == (HttpStatusCode.Forbidden, "forbidden"), $"{method}: {refused}");
        }
        using var nobody = new ServerApi(Chat.Server.BaseAddress);
        Assert.Equal(HttpStatusCode.Unauthorized, (await nobody.GetAsync("/api/levels")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await nobody.SendAsync(HttpMethod.Post, "/api/levels", """{"thresholds":[10]}""")).Status);
        Assert.Equal("configuration", (await server.GetAsync("/api/levels")).Body.Str("source"));

        using var admin = new ServerApi(Chat.Server.BaseAddress, bearer: TestTokens.For(Users.New("root"), roles: ["admin"]));
        Assert.Equal(HttpStatusCode.Created, (await admin.SendAsync(HttpMethod.Post, "/api/levels", """{"thresholds":[10]}""")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.SendAsync(HttpMethod.Delete, "/api/levels")).Status);
    }
}

public sealed class SqliteLevelCurveTests(SqliteGame fixture) : LevelCurveTests(fixture), IClassFixture<SqliteGame>;

public sealed class PostgresLevelCurveTests(PostgresGame fixture) : LevelCurveTests(fixture), IClassFixture<PostgresGame>;
