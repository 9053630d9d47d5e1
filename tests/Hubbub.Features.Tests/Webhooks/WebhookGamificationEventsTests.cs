using System.Globalization;
using System.Net;
using System.Text.Json;
using Hubbub.Features.Tests.Infrastructure;

namespace Hubbub.Features.Tests.Webhooks;

/// <summary>
/// Gamification's domain events reach a real receiver as docs/features/webhooks.md lists them: an app's own event
/// (its data plus <c>user</c>, <c>event_id</c>, <c>event_time</c>), <c>achievement.unlocked</c>, <c>level.up</c> and
/// <c>challenge.joined/completed/ended/won</c>, each once, with exactly the documented fields and values; the app's
/// event posted again under the same id delivers nothing more. On SQLite and PostgreSQL.
/// </summary>
public sealed class WebhookGamificationEventsTests(WebhookFixture fixture) : IClassFixture<WebhookFixture>
{
    private static string Iso(DateTime at) => at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string[] Fields(JsonElement o) => [.. o.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];

    private static string[] Sorted(params string[] names) => [.. names.Order(StringComparer.Ordinal)];

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Each_gamification_event_arrives_once_with_the_documented_fields_and_a_retried_event_adds_none(string engine)
    {
        var chat = await fixture.ServerAsync(engine);
        using var api = new ServerApi(chat.Server.BaseAddress, TestServer.ApiKey);
        var type = Hooks.NewType("workout");
        var achievement = "a" + Guid.NewGuid().ToString("N")[..12];
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/api/rules", new { type, xp = 150 })).Status);
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/api/achievements", new
        {
            key = achievement, name = "First sweat", description = "One workout", rarity = "epic", xp = 10, hidden = false, type, threshold = 1,
        })).Status);
        var (starts, ends) = (DateTime.UtcNow.Date.AddDays(-1), DateTime.UtcNow.AddSeconds(4));
        ends = ends.AddTicks(-(ends.Ticks % TimeSpan.TicksPerSecond)).AddSeconds(1); // whole seconds, still in the future
        var created = await api.PostAsync("/api/challenges", new { title = "One workout", type, goal = 1, starts_at = Iso(starts), ends_at = Iso(ends) });
        Assert.True(created.Status == HttpStatusCode.Created, created.ToString());
        var challenge = created.Body.GetProperty("id").GetString()!;
        var (_, path) = await Hooks.RegisterAsync(api, fixture.Receiver, type, "achievement.unlocked", "level.up", "challenge.*");
        var user = Users.New("hooked");

        var joined = await api.PostAsync($"/api/challenges/{challenge}/join", new { user });
        Assert.True(joined.Status == HttpStatusCode.OK, joined.ToString());
        var eventId = Guid.NewGuid().ToString("N");
        await Hooks.PostEventAsync(api, type, user, new { km = 5.5, note = "park" }, eventId);
        var again = await api.PostAsync("/api/events", new { id = eventId, user, type, data = new { km = 5.5, note = "park" } });
        Assert.True(again.Body.GetProperty("duplicate").GetBoolean(), again.ToString());

        // The challenge's end (the scheduler at ends_at) adds ended and won: seven events in all, each once.
        var hooks = await fixture.Receiver.DeliveredAsync(path, 7, seconds: 60);
        await Task.Delay(500); // a few more sweeps: nothing again, the retried event included
        hooks = fixture.Receiver.At(path);
        Assert.All(hooks, h => Assert.True(h.SignatureValid));
        Assert.Equal(Sorted(type, "achievement.unlocked", "level.up", "challenge.joined", "challenge.completed", "challenge.ended", "challenge.won"),
            Sorted([.. hooks.Select(h => h.Type)]));
        Assert.Equal(7, hooks.Select(h => h.Id).Distinct().Count());
        foreach (var h in hooks)
        {
            var body = h.Json;
            Assert.Equal(Sorted("id", "type", "created_at", "data"), Fields(body));
            Assert.Equal(h.Id, body.GetProperty("id").GetString());
            Assert.Equal(user, body.GetProperty("data").GetProperty("user").GetString());
        }
        JsonElement Data(string t) => hooks.Single(h => h.Type == t).Json.GetProperty("data");

        var app = Data(type);
        Assert.Equal(Sorted("km", "note", "user", "event_id", "event_time"), Fields(app));
        Assert.Equal((5.5, "park", eventId), (app.GetProperty("km").GetDouble(), app.GetProperty("note").GetString(), app.GetProperty("event_id").GetString()));
        Assert.True(Math.Abs((app.GetProperty("event_time").GetDateTime().ToUniversalTime() - DateTime.UtcNow).TotalMinutes) < 1);

        var unlocked = Data("achievement.unlocked");
        Assert.Equal(Sorted("user", "key", "achievement", "rarity", "xp"), Fields(unlocked));
        Assert.Equal((achievement, "First sweat", "epic", 10L),
            (unlocked.GetProperty("key").GetString(), unlocked.GetProperty("achievement").GetString(), unlocked.GetProperty("rarity").GetString(),
             unlocked.GetProperty("xp").GetInt64()));

        var level = Data("level.up");
        Assert.Equal(Sorted("user", "level", "previous"), Fields(level));
        Assert.Equal((2, 1), (level.GetProperty("level").GetInt32(), level.GetProperty("previous").GetInt32()));

        foreach (var t in new[] { "challenge.joined", "challenge.completed" })
        {
            var c = Data(t);
            Assert.Equal(Sorted("user", "challenge", "title", "type", "goal", "starts_at", "ends_at"), Fields(c));
            AssertChallenge(c);
        }
        foreach (var t in new[] { "challenge.ended", "challenge.won" })
        {
            var c = Data(t);
            Assert.Equal(Sorted("user", "challenge", "title", "type", "goal", "starts_at", "ends_at", "rank", "progress", "completed"), Fields(c));
            AssertChallenge(c);
            Assert.Equal((1L, 1.0, true), (c.GetProperty("rank").GetInt64(), c.GetProperty("progress").GetDouble(), c.GetProperty("completed").GetBoolean()));
        }

        void AssertChallenge(JsonElement c) =>
            Assert.Equal((challenge, "One workout", type, 1.0, starts, ends),
                (c.GetProperty("challenge").GetString(), c.GetProperty("title").GetString(), c.GetProperty("type").GetString(),
                 c.GetProperty("goal").GetDouble(), c.GetProperty("starts_at").GetDateTime().ToUniversalTime(),
                 c.GetProperty("ends_at").GetDateTime().ToUniversalTime()));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task An_app_event_no_rule_takes_reaches_the_webhooks_of_its_type_by_pattern_and_one_subscribed_after_a_first_event(string engine)
    {
        // No rule of any feature names these types: the event is stored only for a webhook, which the user's lock asked for.
        var chat = await fixture.ServerAsync(engine);
        using var api = new ServerApi(chat.Server.BaseAddress, TestServer.ApiKey);
        var (prefixed, later) = (Hooks.NewType("run"), Hooks.NewType("swim"));
        var (_, byPrefix) = await Hooks.RegisterAsync(api, fixture.Receiver, prefixed.Split('.')[0] + ".*");
        var user = Users.New("plain");

        await Hooks.PostEventAsync(api, prefixed, user);
        await Hooks.PostEventAsync(api, later, user); // nobody subscribes yet: nothing stored, nothing sent
        var (_, subscribedLater) = await Hooks.RegisterAsync(api, fixture.Receiver, later);
        await Hooks.PostEventAsync(api, later, user);

        Assert.Equal(prefixed, Assert.Single(await fixture.Receiver.DeliveredAsync(byPrefix, 1)).Type);
        Assert.Equal(later, Assert.Single(await fixture.Receiver.DeliveredAsync(subscribedLater, 1)).Type);
        await Task.Delay(500); // a few more sweeps: the first event of the later type was never recorded
        Assert.Single(fixture.Receiver.At(subscribedLater));
        Assert.Single(fixture.Receiver.At(byPrefix));
    }
}
