using System.Globalization;
using System.Net;
using System.Text.Json;
using Hubbub.Features.Tests.Infrastructure;

namespace Hubbub.Features.Tests.Gamification;

/// <summary>
/// Challenges on a fake clock: define, list, read, join (REST and command, idempotent, refused once ended),
/// progress from events in the window for joined users only (count and sum, exactly once, also under concurrency),
/// the live events on <c>challenge:{id}</c> with the subscribe's join state, the completion notification, hostile input.
/// </summary>
public abstract class ChallengeTests(string engine) : FakeClockGame(engine, "2026-05-04T10:00:00Z")
{
    private DateTimeOffset Now => Clock.GetUtcNow();

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>A challenge from an hour ago to an hour from now (unless told otherwise).</summary>
    private async Task<JsonElement> CreateAsync(string type, double goal, string? field = null, TimeSpan? startsIn = null, TimeSpan? lasts = null)
    {
        var starts = Now + (startsIn ?? TimeSpan.FromHours(-1));
        return await Api.DefineAsync("/api/challenges", new
        {
            title = "Run " + goal.ToString(CultureInfo.InvariantCulture), type, field, goal,
            starts_at = Iso(starts), ends_at = Iso(starts + (lasts ?? TimeSpan.FromHours(2))),
        });
    }

    private async Task<JsonElement> JoinAsync(string challenge, string user)
    {
        using var api = Chat.Api(user, user.ToUpperInvariant());
        var answer = await api.PostRawAsync($"/api/challenges/{challenge}/join", null);
        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        return answer.Body;
    }

    [Fact]
    public async Task Joined_users_progress_from_events_in_the_window_live_on_the_channel_and_completion_is_notified_once()
    {
        var type = Game.Fresh("run");
        var created = await CreateAsync(type, 3);
        var id = created.Str("id");
        Assert.Equal(("active", 0L, 3.0), (created.Str("state"), created.Long("participant_count"), created.GetProperty("goal").GetDouble()));
        Assert.Equal(type, created.Str("type"));
        Assert.Equal(JsonValueKind.Null, created.GetProperty("field").ValueKind);
        var (ada, bob, cy) = (Users.New("ada"), Users.New("bob"), Users.New("cy"));

        await using var watcher = await Chat.ConnectAsync(cy, "Cy");
        var state = await watcher.SubscribeAsync($"challenge:{id}");
        Assert.Equal(id, state.GetProperty("state").GetProperty("challenge").Str("id"));
        Assert.Empty(state.GetProperty("state").GetProperty("participants").EnumerateArray());

        var joined = await JoinAsync(id, ada);
        Assert.Equal(1, joined.Long("participant_count"));
        Assert.Equal(0, joined.GetProperty("me").GetProperty("progress").GetDouble());
        var again = await JoinAsync(id, ada); // idempotent
        Assert.Equal(1, again.Long("participant_count"));
        var live = (await watcher.NextAsync(f => f.Type() == "challenge_joined")).GetProperty("data");
        Assert.Equal((ada, ada.ToUpperInvariant()), (live.Str("user"), live.Str("name")));

        // bob joins through the command, as the server does through REST for the user it names
        await using var bobWs = await Chat.ConnectAsync(bob, "Bob");
        var byCommand = await bobWs.OkAsync("challenges.join", new { challenge = id });
        Assert.Equal(2, byCommand.Long("participant_count"));

        var first = await Api.EventAsync(ada, type);
        var effect = first.GetProperty("challenges").EnumerateArray().Single();
        Assert.Equal((id, 1.0, false), (effect.Str("id"), effect.GetProperty("progress").GetDouble(), effect.GetProperty("completed").GetBoolean()));
        var update = (await watcher.NextAsync(f => f.Type() == "challenge_update")).GetProperty("data");
        Assert.Equal((ada, 1.0, 3.0), (update.Str("user"), update.GetProperty("progress").GetDouble(), update.GetProperty("goal").GetDouble()));

        // not counted: another type, before the window, a user who did not join, the same id again
        Assert.Empty((await Api.EventAsync(ada, Game.Fresh("swim"))).GetProperty("challenges").EnumerateArray());
        Assert.Empty((await Api.EventAsync(ada, type, time: Iso(Now.AddHours(-2)))).GetProperty("challenges").EnumerateArray());
        Assert.Empty((await Api.EventAsync(Users.New("dee"), type)).GetProperty("challenges").EnumerateArray());
        var eventId = Guid.NewGuid().ToString("N");
        await Api.EventAsync(ada, type, id: eventId);
        await Api.EventAsync(ada, type, id: eventId);
        var third = await Api.EventAsync(ada, type);
        Assert.True(third.GetProperty("challenges")[0].GetProperty("completed").GetBoolean());
        Assert.False((await Api.EventAsync(ada, type)).GetProperty("challenges")[0].GetProperty("completed").GetBoolean()); // once
        var done = (await watcher.NextAsync(f => f.Type() == "challenge_completed")).GetProperty("data");
        Assert.Equal(ada, done.Str("user"));
        await Api.EventAsync(bob, type);

        var inbox = (await Api.GetAsync($"/api/notifications?user={ada}")).Body.GetProperty("items").EnumerateArray()
            .Where(i => i.Str("type") == "challenge_completed").ToList();
        Assert.Equal(id, Assert.Single(inbox).GetProperty("data").Str("challenge"));

        var participants = (await Api.GetAsync($"/api/challenges/{id}/participants")).Body;
        Assert.Equal([(1L, ada, 4.0, true), (2L, bob, 1.0, false)], participants.GetProperty("participants").EnumerateArray()
            .Select(p => (p.Long("rank"), p.Str("user"), p.GetProperty("progress").GetDouble(), p.GetProperty("completed").GetBoolean())));
        using var adaApi = Chat.Api(ada);
        var mine = (await adaApi.GetAsync($"/api/challenges/{id}")).Body;
        Assert.Equal((4.0, true, 2L), (mine.GetProperty("me").GetProperty("progress").GetDouble(), mine.GetProperty("me").GetProperty("completed").GetBoolean(),
            mine.Long("participant_count")));
        Assert.Equal(JsonValueKind.Null, (await Api.GetAsync($"/api/challenges/{id}")).Body.GetProperty("me").ValueKind);
        Assert.Equal(1.0, (await Api.GetAsync($"/api/challenges/{id}?user={bob}")).Body.GetProperty("me").GetProperty("progress").GetDouble());

        // a later subscribe sees the standings at once
        await using var late = await Chat.ConnectAsync(ada, "Ada");
        var lateState = (await late.SubscribeAsync($"challenge:{id}")).GetProperty("state");
        Assert.Equal([ada, bob], lateState.GetProperty("participants").EnumerateArray().Select(p => p.Str("user")));
        Assert.Equal(4.0, lateState.GetProperty("challenge").GetProperty("me").GetProperty("progress").GetDouble());
    }

    [Fact]
    public async Task A_field_challenge_sums_positive_numbers_and_ignores_the_rest()
    {
        var type = Game.Fresh("ride");
        var id = (await CreateAsync(type, 10, field: "km")).Str("id");
        var eve = Users.New("eve");
        await JoinAsync(id, eve);
        await Api.EventAsync(eve, type, new { km = 4.5 });
        await Api.EventAsync(eve, type, new { km = -3 });
        await Api.EventAsync(eve, type, new { km = "7" });
        await Api.EventAsync(eve, type);
        var last = (await Api.EventAsync(eve, type, new { km = 6 })).GetProperty("challenges")[0];
        Assert.Equal((10.5, true), (last.GetProperty("progress").GetDouble(), last.GetProperty("completed").GetBoolean()));
    }

    [Fact]
    public async Task An_upcoming_challenge_can_be_joined_and_counts_from_its_start_and_an_ended_one_refuses_joins_with_the_reason()
    {
        var type = Game.Fresh("row");
        var id = (await CreateAsync(type, 5, startsIn: TimeSpan.FromMinutes(30), lasts: TimeSpan.FromHours(1))).Str("id");
        var fay = Users.New("fay");
        Assert.Equal("upcoming", (await JoinAsync(id, fay)).Str("state"));
        Assert.Empty((await Api.EventAsync(fay, type)).GetProperty("challenges").EnumerateArray()); // before the start

        Clock.Advance(TimeSpan.FromMinutes(31));
        Assert.Single((await Api.EventAsync(fay, type)).GetProperty("challenges").EnumerateArray());
        Assert.Contains(id, (await Api.GetAsync("/api/challenges?state=active&limit=100")).Body.GetProperty("challenges").EnumerateArray().Select(c => c.Str("id")));

        Clock.Advance(TimeSpan.FromHours(1)); // the end is exclusive
        Assert.Empty((await Api.EventAsync(fay, type)).GetProperty("challenges").EnumerateArray());
        using var late = Chat.Api(Users.New("gus"));
        var refused = await late.PostRawAsync($"/api/challenges/{id}/join", null);
        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Equal(("conflict", "challenge_ended"), (refused.Code, refused.Body.Str("reason")));
        await using var ws = await Chat.ConnectAsync(Users.New("hal"));
        var byCommand = await ws.RequestAsync("challenges.join", new { challenge = id });
        Assert.Equal("error", byCommand.Type());
        Assert.Equal("challenge_ended", byCommand.GetProperty("data").Str("reason"));
        Assert.Equal("challenge_ended", (await ws.RequestAsync("challenge.join", new { challenge = id })).GetProperty("data").Str("reason")); // singular alias
        Assert.Equal(1, (await Api.GetAsync($"/api/challenges/{id}")).Body.Long("participant_count"));
        Assert.Equal("ended", (await Api.GetAsync($"/api/challenges/{id}")).Body.Str("state"));
        var mine = (await Api.GetAsync($"/api/challenges?joined=true&state=ended&user={fay}")).Body.GetProperty("challenges");
        Assert.Equal(id, Assert.Single(mine.EnumerateArray()).Str("id"));
    }

    [Fact]
    public async Task Concurrent_events_of_one_user_are_each_counted_once()
    {
        var type = Game.Fresh("lap");
        var id = (await CreateAsync(type, 1000)).Str("id");
        var gil = Users.New("gil");
        await JoinAsync(id, gil);
        var repeated = Guid.NewGuid().ToString("N");
        var posts = Enumerable.Range(0, 16).Select(_ => Api.PostAsync("/api/events", new { id = Guid.NewGuid().ToString("N"), user = gil, type }))
            .Concat(Enumerable.Range(0, 8).Select(_ => Api.PostAsync("/api/events", new { id = repeated, user = gil, type })));
        var answers = await Task.WhenAll(posts);
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        var participants = (await Api.GetAsync($"/api/challenges/{id}/participants")).Body.GetProperty("participants");
        Assert.Equal(17.0, Assert.Single(participants.EnumerateArray()).GetProperty("progress").GetDouble());
        // and the same user joining concurrently is one participant
        var hugo = Users.New("hugo");
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => JoinAsync(id, hugo)));
        Assert.Equal(2, (await Api.GetAsync($"/api/challenges/{id}")).Body.Long("participant_count"));
    }

    [Fact]
    public async Task Lists_are_paged_newest_first_and_filtered()
    {
        var type = Game.Fresh("hop");
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await CreateAsync(type, 1)).Str("id"));
        }
        var first = (await Api.GetAsync($"/api/challenges?type={type}&limit=2")).Body;
        Assert.Equal([ids[2], ids[1]], first.GetProperty("challenges").EnumerateArray().Select(c => c.Str("id")));
        var cursor = first.Str("next_cursor");
        var second = (await Api.GetAsync($"/api/challenges?type={type}&limit=2&before={cursor}")).Body;
        Assert.Equal([ids[0]], second.GetProperty("challenges").EnumerateArray().Select(c => c.Str("id")));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next_cursor").ValueKind);
        Assert.Empty((await Api.GetAsync($"/api/challenges?type={type}&state=upcoming")).Body.GetProperty("challenges").EnumerateArray());

        // participants page with offsets; equal progress shares a rank
        var id = ids[0];
        var users = Enumerable.Range(0, 3).Select(_ => Users.New("p")).ToList();
        foreach (var u in users)
        {
            await JoinAsync(id, u);
            Clock.Advance(TimeSpan.FromMilliseconds(1)); // equal progress: who reached it (joined) first is listed first
        }
        await Api.EventAsync(users[2], type);
        var page1 = (await Api.GetAsync($"/api/challenges/{id}/participants?limit=2")).Body;
        Assert.Equal([(1L, users[2]), (2L, users[0])], page1.GetProperty("participants").EnumerateArray().Select(p => (p.Long("rank"), p.Str("user"))));
        var page2 = (await Api.GetAsync($"/api/challenges/{id}/participants?limit=2&offset={page1.Long("next_offset")}")).Body;
        Assert.Equal([(2L, users[1])], page2.GetProperty("participants").EnumerateArray().Select(p => (p.Long("rank"), p.Str("user"))));
        // ... and with next_cursor, as every list pages (?cursor= or ?before=); the last page has none.
        Assert.Equal(page1.Long("next_offset").ToString(CultureInfo.InvariantCulture), page1.Str("next_cursor"));
        foreach (var name in new[] { "cursor", "before" })
        {
            var byCursor = (await Api.GetAsync($"/api/challenges/{id}/participants?limit=2&{name}={page1.Str("next_cursor")}")).Body;
            Assert.Equal([(2L, users[1])], byCursor.GetProperty("participants").EnumerateArray().Select(p => (p.Long("rank"), p.Str("user"))));
            Assert.Equal(JsonValueKind.Null, byCursor.GetProperty("next_cursor").ValueKind);
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.GetAsync($"/api/challenges/{id}/participants?cursor=junk")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.GetAsync($"/api/challenges/{id}/participants?cursor=2&offset=1")).Status);
    }

    [Fact]
    public async Task Bad_and_unauthorized_input_is_refused_with_the_reason_and_changes_nothing()
    {
        var start = Iso(Now.AddHours(-1));
        var end = Iso(Now.AddHours(1));
        foreach (var (body, status, field) in new (string, HttpStatusCode, string)[]
        {
            ($$"""{"type":"t","goal":1,"starts_at":"{{start}}","ends_at":"{{end}}"}""", HttpStatusCode.BadRequest, "'title'"),
            ($$"""{"title":"   ","type":"t","goal":1,"starts_at":"{{start}}","ends_at":"{{end}}"}""", HttpStatusCode.BadRequest, "'title'"),
            ($$"""{"title":"a\u0007b","type":"t","goal":1,"starts_at":"{{start}}","ends_at":"{{end}}"}""", HttpStatusCode.BadRequest, "'title'"),
            ($$"""{"title":"a\u0000b","type":"t","goal":1,"starts_at":"{{start}}","ends_at":"{{end}}"}""", HttpStatusCode.BadRequest, "'title'"),
            ($$"""{"title":"a\ud800b","type":"t","goal":1,"starts_at":"{{start}}","ends_at":"{{end}}"}""", HttpStatusCode.BadRequest, "surrogate"),
            ($$"""{"title":"{{new string('x', 201)}}","type":"t","goal":1,"starts_at":"{{start}}","ends_at":"{{end}}"}""", HttpStatusCode.RequestEntityTooLarge, "'title'"),
            ($$"""{"title":"x","goal":1,"starts_at":"{{start}}","ends_at":"{{end}}"}""", HttpStatusCode.BadRequest, "'type'"),
            ($$"""{"title":"x","type":"a b","goal":1,"starts_at":"{{start}}","ends_at":"{{end}}"}""", HttpStatusCode.BadRequest, "'type'"),
            ($$"""{"title":"x","type":"t","field":"a.b","goal":1,"starts_at":"{{start}}","ends_at":"{{end}}"}""", HttpStatusCode.BadRequest, "'field'"),
            ($$"""{"title":"x","type":"t","starts_at":"{{start}}","ends_at":"{{end}}"}""", HttpStatusCode.BadRequest, "'goal'"),
            ($$"""{"title":"x","type":"t","goal":0,"starts_at":"{{start}}","ends_at":"{{end}}"}""", HttpStatusCode.BadRequest, "'goal'"),
            ($$"""{"title":"x","type":"t","goal":-5,"starts_at":"{{start}}","ends_at":"{{end}}"}""", HttpStatusCode.BadRequest, "'goal'"),
            ($$"""{"title":"x","type":"t","goal":1e300,"starts_at":"{{start}}","ends_at":"{{end}}"}""", HttpStatusCode.BadRequest, "'goal'"),
            ($$"""{"title":"x","type":"t","goal":1.5,"starts_at":"{{start}}","ends_at":"{{end}}"}""", HttpStatusCode.BadRequest, "'goal'"),
            ($$"""{"title":"x","type":"t","goal":1,"ends_at":"{{end}}"}""", HttpStatusCode.BadRequest, "'starts_at'"),
            ($$"""{"title":"x","type":"t","goal":1,"starts_at":"soon","ends_at":"{{end}}"}""", HttpStatusCode.BadRequest, "'starts_at'"),
            ($$"""{"title":"x","type":"t","goal":1,"starts_at":"12/06/2026","ends_at":"{{end}}"}""", HttpStatusCode.BadRequest, "'starts_at'"),
            ($$"""{"title":"x","type":"t","goal":1,"starts_at":"{{start}}","ends_at":"Dec 8 2099"}""", HttpStatusCode.BadRequest, "'ends_at'"),
            ($$"""{"title":"x","type":"t","goal":1,"starts_at":"{{end}}","ends_at":"{{start}}"}""", HttpStatusCode.BadRequest, "'ends_at'"),
            ($$"""{"title":"x","type":"t","goal":1,"starts_at":"{{start}}","ends_at":"{{start}}"}""", HttpStatusCode.BadRequest, "'ends_at'"),
            ($$"""{"title":"x","type":"t","goal":1,"starts_at":"2020-01-01T00:00:00Z","ends_at":"2020-02-01T00:00:00Z"}""", HttpStatusCode.BadRequest, "'ends_at'"),
            ($$"""{"title":"x","type":"t","goal":1,"starts_at":"{{start}}","ends_at":"2099-01-01T00:00:00Z"}""", HttpStatusCode.BadRequest, "days"),
            ($$"""{"title":"x","type":"t","goal":"1","starts_at":"{{start}}","ends_at":"{{end}}"}""", HttpStatusCode.BadRequest, "JSON"),
            ("[]", HttpStatusCode.BadRequest, "JSON"),
        })
        {
            var answer = await Api.SendAsync(HttpMethod.Post, "/api/challenges", body);
            Assert.True(answer.Status == status, $"{body}: {answer}");
            Assert.Contains(field, answer.Body.Str("message"), StringComparison.Ordinal);
        }

        var user = Users.New("ivy");
        var valid = new { title = "x", type = "t", goal = 1, starts_at = start, ends_at = end };
        using var asUser = Chat.Api(user);
        Assert.Equal(HttpStatusCode.Forbidden, (await asUser.PostAsync("/api/challenges", valid)).Status);
        using var nobody = new ServerApi(Chat.Server.BaseAddress);
        Assert.Equal(HttpStatusCode.Unauthorized, (await nobody.PostAsync("/api/challenges", valid)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await nobody.GetAsync("/api/challenges")).Status);
        using var admin = new ServerApi(Chat.Server.BaseAddress, bearer: TestTokens.For(Users.New("root"), roles: ["admin"]));
        var id = (await admin.PostAsync("/api/challenges", valid)).Body.Str("id");

        foreach (var bad in new[] { "999999999", "abc", "-1", "0", "1.5", new string('9', 30) })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await asUser.PostRawAsync($"/api/challenges/{bad}/join", null)).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await asUser.GetAsync($"/api/challenges/{bad}")).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await asUser.GetAsync($"/api/challenges/{bad}/participants")).Status);
        }
        Assert.Equal(HttpStatusCode.Forbidden, (await asUser.PostAsync($"/api/challenges/{id}/join", new { user = Users.New("other") })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.SendAsync(HttpMethod.Post, $"/api/challenges/{id}/join")).Status); // the server names a user
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.PostAsync($"/api/challenges/{id}/join", new { user = "no spaces" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.PostAsync($"/api/challenges/{id}/join", new { user, challenge = "1" + id })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.SendAsync(HttpMethod.Post, $"/api/challenges/{id}/join", "{\"user\":5}")).Status);
        foreach (var query in new[] { "state=soon", "limit=0", "limit=101", "limit=x", "joined=maybe", "joined=true", "type=a%20b", "before=zz" })
        {
            var answer = await Api.GetAsync($"/api/challenges?{query}");
            Assert.True(answer.Status is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{query}: {answer}");
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.GetAsync("/api/challenges?before=abc")).Status); // a bad cursor is bad input
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync("/api/challenges?before=&limit=")).Status); // empty is none: the first page
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.GetAsync($"/api/challenges/{id}/participants?offset=-1")).Status);
        Assert.Equal(0, (await Api.GetAsync($"/api/challenges/{id}")).Body.Long("participant_count"));

        await using var ws = await Chat.ConnectAsync(user);
        await ws.SubscribeAsync($"challenge:{id}");
        var publish = await ws.RequestAsync("publish", new { channel = $"challenge:{id}", data = new { fake = true } });
        Assert.Equal(("error", "forbidden"), (publish.Type(), publish.GetProperty("data").Str("code")));
        Assert.Equal("forbidden", (await ws.RequestAsync("typing", new { channel = $"challenge:{id}", is_typing = true })).ErrorCode());
        Assert.Equal("forbidden", (await ws.RequestAsync("cursor", new { channel = $"challenge:{id}", x = 1, y = 2 })).ErrorCode());
        foreach (var unknown in new[] { "challenge:999999999", "challenge:abc" }) // unknown ids are not_found, as GET /api/challenges/{id}
        {
            Assert.Equal("not_found", (await ws.RequestAsync("subscribe", new { channel = unknown })).ErrorCode());
            Assert.Equal("not_found", (await ws.RequestAsync("history", new { channel = unknown })).ErrorCode());
        }
        var missing = await ws.RequestAsync("challenges.join", new { });
        Assert.Equal(("error", "bad_request"), (missing.Type(), missing.GetProperty("data").Str("code")));
        var other = await ws.RequestAsync("challenges.join", new { challenge = id, user = Users.New("x") });
        Assert.Equal(("error", "forbidden"), (other.Type(), other.GetProperty("data").Str("code")));
        Assert.Equal(0, (await Api.GetAsync($"/api/challenges/{id}")).Body.Long("participant_count"));
    }

    [Fact]
    public async Task A_challenge_with_a_key_is_created_once_and_posting_its_key_again_answers_it_unchanged()
    {
        var (type, key) = (Game.Fresh("lap"), Game.Fresh("key"));
        var body = new
        {
            title = "Keyed", type, goal = 3, starts_at = Iso(Now.AddHours(-1)), ends_at = Iso(Now.AddHours(1)), key,
        };
        var created = await Api.DefineAsync("/api/challenges", body);
        Assert.Equal(key, created.Str("key"));
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Api.PostAsync("/api/challenges", body with { title = "Other" })));
        Assert.All(concurrent, a => Assert.True(a.Status == HttpStatusCode.OK, a.ToString()));
        Assert.All(concurrent, a => Assert.Equal((created.Str("id"), "Keyed"), (a.Body.Str("id"), a.Body.Str("title"))));
        Assert.Single((await Api.GetAsync($"/api/challenges?type={type}")).Body.GetProperty("challenges").EnumerateArray());
        var unkeyed = await CreateAsync(type, 3);
        Assert.Equal(JsonValueKind.Null, unkeyed.GetProperty("key").ValueKind);

        var bad = await Api.PostAsync("/api/challenges", body with { key = "a b" });
        Assert.Equal((HttpStatusCode.BadRequest, "bad_request"), (bad.Status, bad.Code));
        Assert.Contains("'key'", bad.Body.Str("message"), StringComparison.Ordinal);
    }
}

public sealed class SqliteChallengeTests() : ChallengeTests("sqlite");

public sealed class PostgresChallengeTests() : ChallengeTests("postgres");
