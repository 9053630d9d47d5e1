using System.Globalization;
using System.Net;
using System.Text.Json;
using Hubbub.Features.Tests.Infrastructure;

namespace Hubbub.Features.Tests.Gamification;

/// <summary>
/// The additions beyond FEATURES.md around challenges, on a fake clock: leaving (REST and command, idempotent, progress
/// dropped, <c>challenge_left</c>, refused once ended), <c>challenge_ended</c> with the final standings and each
/// participant's notification when the scheduler passes <c>ends_at</c> (once), and <c>?state=current</c>.
/// </summary>
public abstract class ChallengeEndTests(string engine) : FakeClockGame(engine, "2026-05-04T10:00:00Z")
{
    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private async Task<string> CreateAsync(string type, double goal, TimeSpan startsIn, TimeSpan lasts)
    {
        var starts = Clock.GetUtcNow() + startsIn;
        return (await Api.DefineAsync("/api/challenges", new
        {
            title = "Lap " + type, type, goal, starts_at = Iso(starts), ends_at = Iso(starts + lasts),
        })).Str("id");
    }

    private async Task<JsonElement> JoinAsync(string challenge, string user)
    {
        using var api = Chat.Api(user, user.ToUpperInvariant());
        var answer = await api.PostRawAsync($"/api/challenges/{challenge}/join", null);
        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        return answer.Body;
    }

    [Fact]
    public async Task A_participant_leaves_with_their_progress_live_and_idempotently_and_not_after_the_end()
    {
        var type = Game.Fresh("lap");
        var id = await CreateAsync(type, 10, TimeSpan.FromHours(-1), TimeSpan.FromHours(2));
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        await using var watcher = await Chat.ConnectAsync(Users.New("cy"));
        await watcher.SubscribeAsync($"challenge:{id}");
        await JoinAsync(id, ada);
        await JoinAsync(id, bob);
        await Api.EventAsync(ada, type);
        await Api.EventAsync(ada, type);

        using var adaApi = Chat.Api(ada, "ADA");
        var left = await adaApi.DeleteAsync($"/api/challenges/{id}/join");
        Assert.Equal(HttpStatusCode.OK, left.Status);
        Assert.Equal((1L, JsonValueKind.Null), (left.Body.Long("participant_count"), left.Body.GetProperty("me").ValueKind));
        var live = (await watcher.NextAsync(f => f.Type() == "challenge_left")).GetProperty("data");
        Assert.Equal((id, ada, "ADA"), (live.Str("challenge"), live.Str("user"), live.Str("name")));
        Assert.Equal(1, (await adaApi.DeleteAsync($"/api/challenges/{id}/join")).Body.Long("participant_count")); // again: nothing changes
        Assert.Empty((await Api.EventAsync(ada, type)).GetProperty("challenges").EnumerateArray()); // no longer counted
        Assert.Equal([bob], (await Api.GetAsync($"/api/challenges/{id}/participants")).Body.GetProperty("participants").EnumerateArray()
            .Select(p => p.Str("user")));

        // joining again starts from zero; the server leaves for the user it names, the command for the caller
        Assert.Equal(0.0, (await JoinAsync(id, ada)).GetProperty("me").GetProperty("progress").GetDouble());
        Assert.Equal(HttpStatusCode.OK, (await Api.SendAsync(HttpMethod.Delete, $"/api/challenges/{id}/join?user={ada}")).Status);
        await using var bobWs = await Chat.ConnectAsync(bob, "Bob");
        Assert.Equal(0, (await bobWs.OkAsync("challenges.leave", new { challenge = id })).Long("participant_count"));

        // bad input and someone else's leave are refused and change nothing
        await JoinAsync(id, bob);
        using var eve = Chat.Api(Users.New("eve"));
        Assert.Equal(HttpStatusCode.Forbidden, (await eve.SendAsync(HttpMethod.Delete, $"/api/challenges/{id}/join", $$"""{"user":"{{bob}}"}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.SendAsync(HttpMethod.Delete, $"/api/challenges/{id}/join")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.SendAsync(HttpMethod.Delete, $"/api/challenges/{id}/join", $$"""{"user":"{{bob}}","challenge":"1{{id}}"}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.SendAsync(HttpMethod.Delete, $"/api/challenges/{id}/join", "{\"user\":5}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await eve.DeleteAsync("/api/challenges/99999999/join")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await eve.DeleteAsync("/api/challenges/x/join")).Status);
        using var nobody = new ServerApi(Chat.Server.BaseAddress);
        Assert.Equal(HttpStatusCode.Unauthorized, (await nobody.SendAsync(HttpMethod.Delete, $"/api/challenges/{id}/join")).Status);
        Assert.Equal(1, (await Api.GetAsync($"/api/challenges/{id}")).Body.Long("participant_count"));

        Clock.Advance(TimeSpan.FromHours(1));
        using var bobApi = Chat.Api(bob);
        var late = await bobApi.DeleteAsync($"/api/challenges/{id}/join");
        Assert.Equal((HttpStatusCode.Conflict, "challenge_ended"), (late.Status, late.Body.Str("reason")));
        Assert.Equal(1, (await Api.GetAsync($"/api/challenges/{id}")).Body.Long("participant_count"));
    }

    [Fact]
    public async Task When_ends_at_passes_the_standings_are_announced_once_and_each_participant_is_notified_of_their_rank()
    {
        var type = Game.Fresh("row");
        var id = await CreateAsync(type, 2, TimeSpan.FromMinutes(-10), TimeSpan.FromMinutes(40));
        var (ada, bob, cy) = (Users.New("ada"), Users.New("bob"), Users.New("cy"));
        foreach (var u in new[] { ada, bob, cy })
        {
            await JoinAsync(id, u);
            Clock.Advance(TimeSpan.FromMilliseconds(1));
        }
        await Api.EventAsync(bob, type);
        await Api.EventAsync(bob, type);
        await Api.EventAsync(ada, type);
        await using var watcher = await Chat.ConnectAsync(Users.New("dee"));
        await watcher.SubscribeAsync($"challenge:{id}");

        Clock.Advance(TimeSpan.FromMinutes(20));
        await Task.Delay(300);
        Assert.DoesNotContain(watcher.Frames, f => f.Type() == "challenge_ended"); // not due yet

        Clock.Advance(TimeSpan.FromMinutes(11));
        var ended = (await watcher.NextAsync(f => f.Type() == "challenge_ended")).GetProperty("data");
        Assert.Equal((id, 3L, 1L, 2.0), (ended.Str("challenge"), ended.Long("participant_count"), ended.Long("completed_count"),
            ended.GetProperty("goal").GetDouble()));
        Assert.Equal([(1L, bob, true), (2L, ada, false), (3L, cy, false)], ended.GetProperty("standings").EnumerateArray()
            .Select(p => (p.Long("rank"), p.Str("user"), p.GetProperty("completed").GetBoolean())));

        var notice = (await Api.GetAsync($"/api/notifications?user={ada}")).Body.GetProperty("items").EnumerateArray()
            .Single(i => i.Str("type") == "challenge_ended").GetProperty("data");
        Assert.Equal((id, 2L, 1.0, false), (notice.Str("challenge"), notice.Long("rank"), notice.GetProperty("progress").GetDouble(),
            notice.GetProperty("completed").GetBoolean()));
        var winner = (await Api.GetAsync($"/api/notifications?user={bob}")).Body.GetProperty("items").EnumerateArray()
            .Single(i => i.Str("type") == "challenge_ended").GetProperty("data");
        Assert.Equal((1L, true), (winner.Long("rank"), winner.GetProperty("completed").GetBoolean()));

        Clock.Advance(TimeSpan.FromHours(1));
        await Task.Delay(300);
        Assert.Single(watcher.Frames, f => f.Type() == "challenge_ended"); // once
    }

    [Fact]
    public async Task State_current_lists_upcoming_and_active_challenges_but_not_ended_ones()
    {
        var type = Game.Fresh("hop");
        var active = await CreateAsync(type, 1, TimeSpan.FromHours(-1), TimeSpan.FromHours(2));
        var upcoming = await CreateAsync(type, 1, TimeSpan.FromHours(1), TimeSpan.FromHours(1));
        var ending = await CreateAsync(type, 1, TimeSpan.FromHours(-1), TimeSpan.FromMinutes(90));
        Clock.Advance(TimeSpan.FromMinutes(31));
        var current = (await Api.GetAsync($"/api/challenges?state=current&type={type}")).Body.GetProperty("challenges").EnumerateArray()
            .Select(c => (c.Str("id"), c.Str("state"))).ToList();
        Assert.Equal([(upcoming, "upcoming"), (active, "active")], current);
        Assert.Equal([ending], (await Api.GetAsync($"/api/challenges?state=ended&type={type}")).Body.GetProperty("challenges").EnumerateArray()
            .Select(c => c.Str("id")));
    }

    [Fact]
    public async Task The_end_raises_challenge_ended_for_each_participant_and_challenge_won_for_the_first_so_rules_reward_them()
    {
        // Rules are global to the server: this test's own rule types are the two domain events of an end.
        await Api.DefineAsync("/api/rules", new { type = "challenge.ended", xp = 5 });
        await Api.DefineAsync("/api/rules", new { type = "challenge.won", xp = 50 });
        var type = Game.Fresh("paddle");
        var id = await CreateAsync(type, 3, TimeSpan.FromMinutes(-5), TimeSpan.FromMinutes(10));
        var (ada, bob, outsider) = (Users.New("ada"), Users.New("bob"), Users.New("eve"));
        await JoinAsync(id, ada);
        await JoinAsync(id, bob);
        await Api.EventAsync(bob, type);
        await Api.EventAsync(bob, type);
        await Api.EventAsync(ada, type);
        await Api.EventAsync(outsider, type);

        Clock.Advance(TimeSpan.FromMinutes(6));
        // The raised events go through the pipeline after the end's commit (the kit's dispatcher): wait for their XP.
        async Task<long> XpAsync(string user, long expected)
        {
            long xp = -1;
            for (var i = 0; i < 100 && xp != expected; i++)
            {
                xp = (await Api.GetAsync($"/api/users/{user}/profile")).Body.Long("xp");
                if (xp != expected)
                {
                    await Task.Delay(50);
                }
            }
            return xp;
        }
        Assert.Equal(55, await XpAsync(bob, 55));   // took part and won
        Assert.Equal(5, await XpAsync(ada, 5));     // took part
        Clock.Advance(TimeSpan.FromHours(1));
        await Task.Delay(300);
        Assert.Equal(55, await XpAsync(bob, 55));   // once
        Assert.Equal(0, await XpAsync(outsider, 0)); // not a participant
    }
}

public sealed class SqliteChallengeEndTests() : ChallengeEndTests("sqlite");

public sealed class PostgresChallengeEndTests() : ChallengeEndTests("postgres");
