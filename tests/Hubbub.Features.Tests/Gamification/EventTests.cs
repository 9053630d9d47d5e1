using System.Net;
using System.Text.Json;
using Hubbub.Features.Kit;
using Hubbub.Features.Kit.DomainEvents;
using Hubbub.Features.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Hubbub.Features.Tests.Gamification;

/// <summary>
/// <c>POST /api/events</c> and the domain events of other features: XP, levels, achievements, quests, streaks and
/// boards from one event, each effect once (same id, concurrent copies, concurrent events of one user), the live events
/// and notifications, batches, and who may post.
/// </summary>
public abstract class EventTests(GameFixture fixture)
{
    private ChatServer Chat => fixture.Chat;

    [Fact]
    public async Task An_event_gives_rule_xp_unlocks_an_achievement_once_levels_up_and_says_so_live_and_in_the_inbox()
    {
        using var server = Game.Server(Chat);
        var (type, key, board) = (Game.Fresh("run"), Game.Fresh("first"), Game.Fresh("xp"));
        await server.DefineAsync("/api/rules", new { type, field = "km", factor = 10, max = 80 });
        await server.DefineAsync("/api/achievements", new
        {
            key, name = "First steps", description = "Run twice", rarity = "rare", xp = 50, hidden = false, type, threshold = 2,
        });
        await server.DefineAsync("/api/leaderboards", new { key = board, name = "XP", source = "xp", @operator = "incr", period = "all", order = "desc" });
        var (quest, streak) = (Game.Fresh("three"), Game.Fresh("daily"));
        await server.DefineAsync("/api/quests", new { key = quest, name = "Three runs", period = "daily", type, count = 3, xp = 0 });
        await server.DefineAsync("/api/streaks", new { key = streak, name = "Running days", type });
        var ada = Users.New("ada");
        await using var ws = await Chat.ConnectAsync(ada, "Ada");
        await ws.SubscribeAsync($"user:{ada}");

        var first = await server.EventAsync(ada, type, new { km = 5.5 });
        Assert.Equal(55, first.Long("xp")); // floor(5.5 × 10)
        Assert.Equal(1, first.Long("level"));
        Assert.Empty(first.GetProperty("achievements").EnumerateArray());
        var rank = first.GetProperty("leaderboards").EnumerateArray().Single();
        Assert.Equal(board, rank.Str("key"));
        Assert.Equal(1, rank.Long("rank"));
        Assert.Equal(JsonValueKind.Null, rank.GetProperty("previous_rank").ValueKind);
        Assert.Equal(JsonValueKind.Null, first.GetProperty("activity").ValueKind);

        var second = await server.EventAsync(ada, type, new { km = 100 }); // capped at 80, plus the achievement's 50
        Assert.Equal(130, second.Long("xp"));
        Assert.Equal(185, second.Long("total_xp"));
        Assert.Equal(2, second.Long("level"));
        Assert.Equal(key, second.GetProperty("achievements").EnumerateArray().Single().Str("key"));
        var third = await server.EventAsync(ada, type, new { km = 1 }); // 10 XP
        Assert.Empty(third.GetProperty("achievements").EnumerateArray()); // unlocked once
        Assert.True(third.GetProperty("quests")[0].GetProperty("completed").GetBoolean());
        Assert.Equal(1, first.GetProperty("streaks")[0].Long("count"));
        Assert.Empty(third.GetProperty("streaks").EnumerateArray()); // the same day again

        var gained = await ws.NextAsync(f => f.Type() == "xp_gained" && f.GetProperty("data").Long("amount") == 55);
        Assert.Equal(type, gained.GetProperty("data").Str("reason"));
        Assert.Equal(55, gained.GetProperty("data").Long("total"));
        var unlocked = (await ws.NextAsync(f => f.Type() == "achievement_unlocked")).GetProperty("data");
        Assert.Equal(("First steps", "rare", 50L), (unlocked.Str("name"), unlocked.Str("rarity"), unlocked.Long("xp")));
        var levelUp = (await ws.NextAsync(f => f.Type() == "level_up")).GetProperty("data");
        Assert.Equal((2L, 1L), (levelUp.Long("level"), levelUp.Long("previous")));
        Assert.Equal(1, (await ws.NextAsync(f => f.Type() == "rank_changed")).GetProperty("data").Long("rank"));
        Assert.Equal(quest, (await ws.NextAsync(f => f.Type() == "quest_completed")).GetProperty("data").Str("key"));
        var streakUpdated = (await ws.NextAsync(f => f.Type() == "streak_updated")).GetProperty("data");
        Assert.Equal((streak, 1L), (streakUpdated.Str("key"), streakUpdated.Long("count")));

        var inbox = await server.GetAsync($"/api/notifications?user={ada}");
        var types = inbox.Body.GetProperty("items").EnumerateArray().Select(i => i.Str("type")).ToList();
        Assert.Equal(["level_up", "achievement_unlocked"], types); // newest first

        var profile = (await server.GetAsync($"/api/users/{ada}/profile")).Body;
        Assert.Equal((195L, 2L, 100L, 300L), (profile.Long("xp"), profile.Long("level"), profile.Long("level_xp"), profile.Long("next_level_xp")));
        Assert.Equal("Ada", profile.Str("name"));
        Assert.Equal(key, profile.GetProperty("achievements").EnumerateArray().Single().Str("key"));
        using var adaApi = Chat.Api(ada, "Ada");
        Assert.Equal(195, (await adaApi.GetAsync("/api/users/me/profile")).Body.Long("xp"));
    }

    [Fact]
    public async Task The_answer_carries_the_activity_a_social_rule_made_of_the_event_and_a_retry_answers_the_same_one()
    {
        using var server = Game.Server(Chat);
        var type = Game.Fresh("hike");
        await server.DefineAsync("/api/activity-rules", new { type, title = "{name} hiked {km} km" });
        var ada = Users.New("ada");
        await using var ws = await Chat.ConnectAsync(ada, "Ada");
        await ws.SubscribeAsync($"feed:{ada}");
        var id = Guid.NewGuid().ToString("N");

        var first = await server.PostAsync("/api/events", new { id, user = ada, type, data = new { km = 12 } });
        var activity = first.Body.GetProperty("effects").GetProperty("activity");
        Assert.Equal(JsonValueKind.Object, activity.ValueKind);
        Assert.Equal(("Ada hiked 12 km", type, ada), (activity.Str("title"), activity.Str("type"), activity.Str("user")));
        var live = (await ws.NextAsync(f => f.Type() == "friend_activity")).GetProperty("data").GetProperty("activity");
        Assert.Equal(activity.Str("id"), live.Str("id"));

        var again = await server.PostAsync("/api/events", new { id, user = ada, type, data = new { km = 12 } });
        Assert.True(again.Body.GetProperty("duplicate").GetBoolean());
        Assert.Equal(activity.Str("id"), again.Body.GetProperty("effects").GetProperty("activity").Str("id"));
        using var adaApi = Chat.Api(ada, "Ada");
        var feed = (await adaApi.GetAsync("/api/feed")).Body.GetProperty("activities");
        Assert.Equal([activity.Str("id")], feed.EnumerateArray().Select(a => a.Str("id"))); // one activity, made with the event
        var other = await server.EventAsync(ada, Game.Fresh("nap")); // no rule, no activity
        Assert.Equal(JsonValueKind.Null, other.GetProperty("activity").ValueKind);
    }

    [Fact]
    public async Task An_event_no_handler_takes_stores_no_domain_event_and_a_rule_defined_later_takes_the_next_one()
    {
        using var server = Game.Server(Chat);
        var database = Chat.Server.Services.GetRequiredService<Hubbub.Storage.IDatabase>();
        var type = Game.Fresh("swim");
        var ada = Users.New("ada");
        Task<long> Stored() => database.ReadAsync(tx => tx.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM kit_domain_events WHERE type = @type", new { type }));

        var first = await server.EventAsync(ada, type); // no activity rule names the type, no webhook subscribes
        Assert.Equal(JsonValueKind.Null, first.GetProperty("activity").ValueKind);
        Assert.Equal(0, await Stored()); // nothing needed the event stored

        await server.DefineAsync("/api/activity-rules", new { type, title = "Swim logged" });
        var id = Guid.NewGuid().ToString("N");
        var second = await server.PostAsync("/api/events", new { id, user = ada, type, data = new { } });
        var activity = second.Body.GetProperty("effects").GetProperty("activity");
        Assert.Equal(("Swim logged", type), (activity.Str("title"), activity.Str("type")));
        Assert.Equal(1, await Stored()); // stored now: the social handler took it, in the event's transaction
        var again = await server.PostAsync("/api/events", new { id, user = ada, type, data = new { } });
        Assert.True(again.Body.GetProperty("duplicate").GetBoolean());
        Assert.Equal(activity.Str("id"), again.Body.GetProperty("effects").GetProperty("activity").Str("id"));
        Assert.Equal(1, await Stored()); // the duplicate raised nothing again
    }

    [Fact]
    public async Task The_same_id_ten_times_at_once_has_one_effect_and_every_answer_is_the_first()
    {
        using var server = Game.Server(Chat);
        var type = Game.Fresh("lesson");
        await server.DefineAsync("/api/rules", new { type, xp = 7 });
        var bob = Users.New("bob");
        var id = Guid.NewGuid().ToString("N");

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => server.PostAsync("/api/events", new { id, user = bob, type })));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Single(answers, a => !a.Body.GetProperty("duplicate").GetBoolean());
        Assert.All(answers, a => Assert.Equal(7, a.Body.GetProperty("effects").Long("total_xp")));
        Assert.Equal(7, (await server.GetAsync($"/api/users/{bob}/profile")).Body.Long("xp"));
        var again = await server.PostAsync("/api/events", new { id, user = bob, type });
        Assert.True(again.Body.GetProperty("duplicate").GetBoolean());
        Assert.Equal(7, again.Body.GetProperty("effects").Long("xp"));
    }

    [Fact]
    public async Task A_batch_answers_one_entry_per_event_and_one_bad_event_refuses_the_whole_batch()
    {
        using var server = Game.Server(Chat);
        var type = Game.Fresh("quiz");
        await server.DefineAsync("/api/rules", new { type, xp = 3 });
        var cy = Users.New("cy");
        var ok = await server.PostAsync("/api/events", new
        {
            events = new object[] { new { id = "b1-" + cy, user = cy, type }, new { id = "b2-" + cy, user = cy, type }, new { id = "b1-" + cy, user = cy, type } },
        });
        Assert.Equal(HttpStatusCode.OK, ok.Status);
        var entries = ok.Body.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal([false, false, true], entries.Select(e => e.GetProperty("duplicate").GetBoolean()));
        Assert.Equal([3L, 6L, 3L], entries.Select(e => e.GetProperty("effects").Long("total_xp")));

        var bad = await server.PostAsync("/api/events", new { events = new object[] { new { id = "b3-" + cy, user = cy, type }, new { id = "b4", user = cy } } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Contains("events[1]", bad.Body.Str("message"), StringComparison.Ordinal);
        Assert.Equal(6, (await server.GetAsync($"/api/users/{cy}/profile")).Body.Long("xp")); // the good one did nothing either

        var tooMany = await server.PostAsync("/api/events", new { events = Enumerable.Range(0, 101).Select(i => new { id = $"m{i}", user = cy, type }) });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooMany.Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.PostAsync("/api/events", new { events = Array.Empty<object>() })).Status);
    }

    [Fact]
    public async Task A_full_batch_of_several_users_events_runs_each_once_in_the_batchs_order()
    {
        // On SQLite the batch's events are queued to the writer together and committed in a group: each user's events
        // must still run in the batch's order, each once, and the answer list them in order.
        using var server = Game.Server(Chat);
        var type = Game.Fresh("drill");
        await server.DefineAsync("/api/rules", new { type, xp = 2 });
        var users = Enumerable.Range(0, 5).Select(i => Users.New($"bat{i}")).ToList();
        var events = Enumerable.Range(0, GamificationBatchSize).Select(i => new { id = $"fb{i}-{users[0]}", user = users[i % users.Count], type }).ToList();

        var answer = await server.PostAsync("/api/events", new { events });

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var entries = answer.Body.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(events.Select(e => e.id), entries.Select(e => e.Str("id")));
        Assert.All(entries, e => Assert.False(e.GetProperty("duplicate").GetBoolean()));
        // The k-th event of a user (in the batch's order) brings their total to 2k.
        Assert.Equal(events.Select((_, i) => 2L * ((i / users.Count) + 1)), entries.Select(e => e.GetProperty("effects").Long("total_xp")));
        foreach (var user in users)
        {
            Assert.Equal(2L * GamificationBatchSize / users.Count, (await server.GetAsync($"/api/users/{user}/profile")).Body.Long("xp"));
        }
        var again = await server.PostAsync("/api/events", new { events });
        Assert.All(again.Body.GetProperty("events").EnumerateArray(), e => Assert.True(e.GetProperty("duplicate").GetBoolean()));
    }

    private const int GamificationBatchSize = Hubbub.Features.Gamification.GamificationService.MaxBatch;

    [Fact]
    public async Task Bad_events_are_refused_with_the_reason()
    {
        using var server = Game.Server(Chat);
        var user = Users.New("dee");
        foreach (var (body, field) in new (string, string)[]
        {
            ("""{"user":"u1","type":"t"}""", "'id'"),
            ("""{"id":"","user":"u1","type":"t"}""", "'id'"),
            ($$"""{"id":"{{new string('x', 129)}}","user":"u1","type":"t"}""", "'id'"),
            ("""{"id":"1","type":"t"}""", "'user'"),
            ("""{"id":"1","user":"no spaces","type":"t"}""", "'user'"),
            ("""{"id":"1","user":"u1"}""", "'type'"),
            ("""{"id":"1","user":"u1","type":"a:b"}""", "'type'"),
            ("""{"id":"1","user":"u1","type":"t","data":[1]}""", "'data'"),
            ("""{"id":"1","user":"u1","type":"t","data":"x"}""", "'data'"),
            ("""{"id":"1","user":"u1","type":"t","time":"yesterday"}""", "'time'"),
            ("""{"id":"1","user":"u1","type":"t","time":"2999-01-01T00:00:00Z"}""", "'time'"),
            // Not ISO-8601 (found by an audit: "05/12/2026" was read as 12 May), or before 1970 (a default date).
            ("""{"id":"1","user":"u1","type":"t","time":"05/12/2026"}""", "ISO-8601"),
            ("""{"id":"1","user":"u1","type":"t","time":"Sat, 05 Dec 2026 10:00:00 GMT"}""", "ISO-8601"),
            ("""{"id":"1","user":"u1","type":"t","time":"10:00"}""", "ISO-8601"),
            ("""{"id":"1","user":"u1","type":"t","time":"2026-12-05"}""", "ISO-8601"),
            ("""{"id":"1","user":"u1","type":"t","time":"0001-01-01T00:00:00Z"}""", "from 1970"),
            ("""{"id":"1","user":"u1","type":"t","events":[]}""", "batch"),
            ("""{"id":5,"user":"u1","type":"t"}""", "JSON"),
            ("""not json""", "JSON"),
        })
        {
            var answer = await server.SendAsync(HttpMethod.Post, "/api/events", body);
            Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{body}: {answer}");
            Assert.Equal("bad_request", answer.Code);
            Assert.Contains(field, answer.Body.Str("message"), StringComparison.Ordinal);
        }
        Assert.Equal(0, (await server.GetAsync($"/api/users/{user}/profile")).Body.Long("xp"));
    }

    [Fact]
    public async Task An_iso_time_with_a_zone_a_fraction_or_none_counts_at_that_moment()
    {
        using var server = Game.Server(Chat);
        var type = Game.Fresh("swim");
        var board = Game.Fresh("swims");
        await server.DefineAsync("/api/leaderboards", new { key = board, name = "Swims", source = type, period = "daily" });
        var user = Users.New("iso");
        var day = DateTimeOffset.UtcNow.AddDays(-3).UtcDateTime.Date;
        var key = day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var time in new[] { $"{key}T10:00:00Z", $"{key}T10:00:00.123Z", $"{key}T12:00:00+02:00", $"{key}T10:00:00.5-01:00", $"{key}T10:00:00" })
        {
            await server.EventAsync(user, type, time: time);
        }
        var rows = (await server.GetAsync($"/api/leaderboards/{board}?period={key}")).Body.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(5, Assert.Single(rows, r => r.Str("user") == user).GetProperty("score").GetDouble());
    }

    [Fact]
    public async Task Events_and_definitions_are_for_the_server_or_an_admin()
    {
        var user = Users.New("eve");
        using var asUser = new ServerApi(Chat.Server.BaseAddress, bearer: TestTokens.For(user));
        using var nobody = new ServerApi(Chat.Server.BaseAddress);
        using var admin = new ServerApi(Chat.Server.BaseAddress, bearer: TestTokens.For(Users.New("root"), roles: ["admin"]));
        var type = Game.Fresh("t");
        var paths = new (string Path, object Body)[]
        {
            ("/api/events", new { id = "1", user, type }),
            ("/api/rules", new { type, xp = 1 }),
            ("/api/achievements", new { key = Game.Fresh("a"), name = "A", rarity = "common", xp = 1, hidden = false, type, threshold = 1 }),
            ("/api/quests", new { key = Game.Fresh("q"), name = "Q", period = "daily", type, count = 1, xp = 1 }),
            ("/api/streaks", new { key = Game.Fresh("s"), name = "S", type }),
            ("/api/leaderboards", new { key = Game.Fresh("l"), name = "L", source = "xp", @operator = "incr", period = "all", order = "desc" }),
        };
        foreach (var (path, body) in paths)
        {
            var refused = await asUser.PostAsync(path, body);
            Assert.True(refused.Status == HttpStatusCode.Forbidden, $"{path}: {refused}");
            Assert.Equal("forbidden", refused.Code);
            var anonymous = await nobody.PostAsync(path, body);
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
            Assert.Equal("unauthorized", anonymous.Code);
            Assert.Equal(HttpStatusCode.Unauthorized, (await nobody.GetAsync(path == "/api/events" ? "/api/rules" : path)).Status);
        }
        Assert.Equal(HttpStatusCode.Forbidden, (await asUser.SendAsync(HttpMethod.Delete, $"/api/rules/{type}")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await asUser.PutAsync($"/api/rules/{type}", new { type, xp = 2 })).Status);
        foreach (var (path, body) in paths.Reverse())
        {
            var created = await admin.PostAsync(path, body);
            Assert.True(created.Status is HttpStatusCode.Created or HttpStatusCode.OK, $"{path}: {created}");
        }
        Assert.Equal(3, (await admin.GetAsync($"/api/users/{user}/profile")).Body.Long("xp")); // the rule, the achievement, the quest
        // Reading is for anyone signed in.
        Assert.Equal(HttpStatusCode.OK, (await asUser.GetAsync("/api/rules")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await nobody.GetAsync($"/api/users/{user}/profile")).Status);
    }

    [Fact]
    public async Task A_domain_event_raised_by_another_feature_yields_xp_once()
    {
        using var server = Game.Server(Chat);
        var type = Game.Fresh("checkin.completed");
        await server.DefineAsync("/api/rules", new { type, field = "minutes", factor = 2 });
        var kind = new DomainEventKind<Workout>(type, TestJson.Default.Workout);
        var user = Users.New("fay");
        var features = Chat.Server.Services.GetRequiredService<FeatureDatabase>();

        await features.WriteAsync(tx => tx.RaiseAsync(kind, new Workout(user, 21)));
        await features.WriteAsync(tx => tx.RaiseAsync(kind, new Workout(user, 4)));

        await WaitForAsync(async () => (await server.GetAsync($"/api/users/{user}/profile")).Body.Long("xp") == 50);
        await Task.Delay(200);
        Assert.Equal(50, (await server.GetAsync($"/api/users/{user}/profile")).Body.Long("xp"));
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_gamification_endpoints()
    {
        using var anonymous = new ServerApi(Chat.Server.BaseAddress);
        var doc = await anonymous.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, doc.Status);
        var paths = doc.Body.GetProperty("paths");
        foreach (var path in new[] { "/api/events", "/api/rules", "/api/rules/{key}", "/api/achievements", "/api/quests", "/api/streaks",
            "/api/leaderboards", "/api/leaderboards/{key}", "/api/leaderboards/{key}/around/{user}", "/api/users/{id}/profile" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"missing {path}");
        }
        Assert.Contains("\"unlocked_percent\"", doc.Body.GetRawText(), StringComparison.Ordinal);
    }

    internal static async Task WaitForAsync(Func<Task<bool>> condition, int seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not come true in time");
            await Task.Delay(25);
        }
    }
}

public sealed class SqliteEventTests(SqliteGame fixture) : EventTests(fixture), IClassFixture<SqliteGame>;

public sealed class PostgresEventTests(PostgresGame fixture) : EventTests(fixture), IClassFixture<PostgresGame>;
