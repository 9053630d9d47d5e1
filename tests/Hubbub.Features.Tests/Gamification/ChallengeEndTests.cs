using System.Globalization;
using System.Net;
using System.Text.Json;
using Hubbub.Features.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Hubbub.Features.Tests.Gamification;

/// <summary>
/// The additions beyond FEATURES.md around challenges, on a fake clock: leaving (REST and command, idempotent, progress
/// dropped, <c>challenge_left</c>, refused once ended), <c>challenge_ended</c> with the final standings and each
/// participant's notification when the scheduler passes <c>ends_at</c> (once), and <c>?state=current</c>.
/// </summary>
public abstract class ChallengeEndTests(string engine) : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-05-04T10:00:00Z", CultureInfo.InvariantCulture));
    private ChatServer _chat = null!;
    private ServerApi _server = null!;

    public async Task InitializeAsync()
    {
        _chat = await ChatServer.StartAsync(engine, new() { ["Kit:PollMs"] = "50", ["Kit:RetryBaseMs"] = "20" }, _clock);
        _server = Game.Server(_chat);
    }

    public async Task DisposeAsync()
    {
        _server.Dispose();
        await _chat.DisposeAsync();
    }

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private async Task<string> CreateAsync(string type, double goal, TimeSpan startsIn, TimeSpan lasts)
    {
        var starts = _clock.GetUtcNow() + startsIn;
        return (await _server.DefineAsync("/api/challenges", new
        {
            title = "Lap " + type, type, goal, starts_at = Iso(starts), ends_at = Iso(starts + lasts),
        })).Str("id");
    }

    private async Task<JsonElement> JoinAsync(string challenge, string user)
    {
        using var api = _chat.Api(user, user.ToUpperInvariant());
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
        await using var watcher = await _chat.ConnectAsync(Users.New("cy"));
        await watcher.SubscribeAsync($"challenge:{id}");
        await JoinAsync(id, ada);
        await JoinAsync(id, bob);
        await _server.EventAsync(ada, type);
        await _server.EventAsync(ada, type);

        using var adaApi = _chat.Api(ada, "ADA");
        var left = await adaApi.DeleteAsync($"/api/challenges/{id}/join");
        Assert.Equal(HttpStatusCode.OK, left.Status);
        Assert.Equal((1L, JsonValueKind.Null), (left.Body.Long("participant_count"), left.Body.GetProperty("me").ValueKind));
        var live = (await watcher.NextAsync(f => f.Type() == "challenge_left")).GetProperty("data");
        Assert.Equal((id, ada, "ADA"), (live.Str("challenge"), live.Str("user"), live.Str("name")));
        Assert.Equal(1, (await adaApi.DeleteAsync($"/api/challenges/{id}/join")).Body.Long("participant_count")); // again: nothing changes
        Assert.Empty((await _server.EventAsync(ada, type)).GetProperty("challenges").EnumerateArray()); // no longer counted
        Assert.Equal([bob], (await _server.GetAsync($"/api/challenges/{id}/participants")).Body.GetProperty("participants").EnumerateArray()
            .Select(p => p.Str("user")));

        // joining again starts from zero; the server leaves for the user it names, the command for the caller
        Assert.Equal(0.0, (await JoinAsync(id, ada)).GetProperty("me").GetProperty("progress").GetDouble());
        Assert.Equal(HttpStatusCode.OK, (await _server.SendAsync(HttpMethod.Delete, $"/api/challenges/{id}/join?user={ada}")).Status);
        await using var bobWs = await _chat.ConnectAsync(bob, "Bob");
        Assert.Equal(0, (await bobWs.OkAsync("challenges.leave", new { challenge = id })).Long("participant_count"));

        // bad input and someone else's leave are refused and change nothing
        await JoinAsync(id, bob);
        using var eve = _chat.Api(Users.New("eve"));
        Assert.Equal(HttpStatusCode.Forbidden, (await eve.SendAsync(HttpMethod.Delete, $"/api/challenges/{id}/join", $$"""{"user":"{{bob}}"}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await _server.SendAsync(HttpMethod.Delete, $"/api/challenges/{id}/join")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await _server.SendAsync(HttpMethod.Delete, $"/api/challenges/{id}/join", $$"""{"user":"{{bob}}","challenge":"1{{id}}"}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await _server.SendAsync(HttpMethod.Delete, $"/api/challenges/{id}/join", "{\"user\":5}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await eve.DeleteAsync("/api/challenges/99999999/join")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await eve.DeleteAsync("/api/challenges/x/join")).Status);
        using var nobody = new ServerApi(_chat.Server.BaseAddress);
        Assert.Equal(HttpStatusCode.Unauthorized, (await nobody.SendAsync(HttpMethod.Delete, $"/api/challenges/{id}/join")).Status);
        Assert.Equal(1, (await _server.GetAsync($"/api/challenges/{id}")).Body.Long("participant_count"));

        _clock.Advance(TimeSpan.FromHours(1));
        using var bobApi = _chat.Api(bob);
        var late = await bobApi.DeleteAsync($"/api/challenges/{id}/join");
        Assert.Equal((HttpStatusCode.Conflict, "challenge_ended"), (late.Status, late.Body.Str("reason")));
        Assert.Equal(1, (await _server.GetAsync($"/api/challenges/{id}")).Body.Long("participant_count"));
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
            _clock.Advance(TimeSpan.FromMilliseconds(1));
        }
        await _server.EventAsync(bob, type);
        await _server.EventAsync(bob, type);
        await _server.EventAsync(ada, type);
        await using var watcher = await _chat.ConnectAsync(Users.New("dee"));
        await watcher.SubscribeAsync($"challenge:{id}");

        _clock.Advance(TimeSpan.FromMinutes(20));
        await Task.Delay(300);
        Assert.DoesNotContain(watcher.Frames, f => f.Type() == "challenge_ended"); // not due yet

        _clock.Advance(TimeSpan.FromMinutes(11));
        var ended = (await watcher.NextAsync(f => f.Type() == "challenge_ended")).GetProperty("data");
        Assert.Equal((id, 3L, 1L, 2.0), (ended.Str("challenge"), ended.Long("participant_count"), ended.Long("completed_count"),
            ended.GetProperty("goal").GetDouble()));
        Assert.Equal([(1L, bob, true), (2L, ada, false), (3L, cy, false)], ended.GetProperty("standings").EnumerateArray()
            .Select(p => (p.Long("rank"), p.Str("user"), p.GetProperty("completed").GetBoolean())));

        var notice = (await _server.GetAsync($"/api/notifications?user={ada}")).Body.GetProperty("items").EnumerateArray()
            .Single(i => i.Str("type") == "challenge_ended").GetProperty("data");
        Assert.Equal((id, 2L, 1.0, false), (notice.Str("challenge"), notice.Long("rank"), notice.GetProperty("progress").GetDouble(),
            notice.GetProperty("completed").GetBoolean()));
        var winner = (await _server.GetAsync($"/api/notifications?user={bob}")).Body.GetProperty("items").EnumerateArray()
            .Single(i => i.Str("type") == "challenge_ended").GetProperty("data");
        Assert.Equal((1L, true), (winner.Long("rank"), winner.GetProperty("completed").GetBoolean()));

        _clock.Advance(TimeSpan.FromHours(1));
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
        _clock.Advance(TimeSpan.FromMinutes(31));
        var current = (await _server.GetAsync($"/api/challenges?state=current&type={type}")).Body.GetProperty("challenges").EnumerateArray()
            .Select(c => (c.Str("id"), c.Str("state"))).ToList();
        Assert.Equal([(upcoming, "upcoming"), (active, "active")], current);
        Assert.Equal([ending], (await _server.GetAsync($"/api/challenges?state=ended&type={type}")).Body.GetProperty("challenges").EnumerateArray()
            .Select(c => c.Str("id")));
    }

    [Fact]
    public async Task The_end_raises_challenge_ended_for_each_participant_and_challenge_won_for_the_first_so_rules_reward_them()
    {
        // Rules are global to the server: this test's own rule types are the two domain events of an end.
        await _server.DefineAsync("/api/rules", new { type = "challenge.ended", xp = 5 });
        await _server.DefineAsync("/api/rules", new { type = "challenge.won", xp = 50 });
        var type = Game.Fresh("paddle");
        var id = await CreateAsync(type, 3, TimeSpan.FromMinutes(-5), TimeSpan.FromMinutes(10));
        var (ada, bob, outsider) = (Users.New("ada"), Users.New("bob"), Users.New("eve"));
        await JoinAsync(id, ada);
        await JoinAsync(id, bob);
        await _server.EventAsync(bob, type);
        await _server.EventAsync(bob, type);
        await _server.EventAsync(ada, type);
        await _server.EventAsync(outsider, type);

        _clock.Advance(TimeSpan.FromMinutes(6));
        // The raised events go through the pipeline after the end's commit (the kit's dispatcher): wait for their XP.
        async Task<long> XpAsync(string user, long expected)
        {
            long xp = -1;
            for (var i = 0; i < 100 && xp != expected; i++)
            {
                xp = (await _server.GetAsync($"/api/users/{user}/profile")).Body.Long("xp");
                if (xp != expected)
                {
                    await Task.Delay(50);
                }
            }
            return xp;
        }
        Assert.Equal(55, await XpAsync(bob, 55));   // took part and won
        Assert.Equal(5, await XpAsync(ada, 5));     // took part
        _clock.Advance(TimeSpan.FromHours(1));
        await Task.Delay(300);
        Assert.Equal(55, await XpAsync(bob, 55));   // once
        Assert.Equal(0, await XpAsync(outsider, 0)); // not a participant
    }
}

public sealed class SqliteChallengeEndTests() : ChallengeEndTests("sqlite");

public sealed class PostgresChallengeEndTests() : ChallengeEndTests("postgres");
