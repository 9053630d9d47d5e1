using System.Globalization;
using System.Net;
using System.Text.Json;
using Hubbub.Features.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Hubbub.Features.Tests.Gamification;

/// <summary>
/// Tied scores list who reached the score first first (FEATURES.md), also when the events come within one millisecond:
/// on a stopped clock every event has the same transaction time, the case of a batch or a fast client, where the order
/// used to fall back to the user id. Users are named so that their id order is the reverse of the order they post in.
/// A challenge's equal progress is ordered the same way.
/// </summary>
public abstract class TieOrderTests(string engine, bool redis) : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-05-04T10:00:00Z", CultureInfo.InvariantCulture));
    private ChatServer _chat = null!;
    private ServerApi _server = null!;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?> { ["Kit:PollMs"] = "50", ["Kit:RetryBaseMs"] = "20" };
        if (redis)
        {
            settings["ConnectionStrings:Redis"] = TestRedis.Endpoint;
            settings["Hubbub:Redis:KeyPrefix"] = TestRedis.UniquePrefix();
        }
        _chat = await ChatServer.StartAsync(engine, settings, _clock);
        _server = Game.Server(_chat);
    }

    public async Task DisposeAsync()
    {
        _server.Dispose();
        await _chat.DisposeAsync();
    }

    /// <summary>Twelve users whose ids sort in the reverse of the order they are returned in.</summary>
    private static List<string> UsersInPostingOrder()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        return [.. Enumerable.Range(0, 12).Select(i => $"t{tag}-{99 - i:00}")];
    }

    private async Task<List<string>> BoardAsync(string board)
    {
        var entries = (await _server.GetAsync($"/api/leaderboards/{board}?limit=50")).Body.GetProperty("entries").EnumerateArray().ToList();
        Assert.All(entries, e => Assert.Equal(1, e.Long("rank"))); // one score: everybody shares rank 1
        return [.. entries.Select(e => e.Str("user")!)];
    }

    [Theory]
    [InlineData("set")]
    [InlineData("incr")]
    public async Task Users_reaching_one_score_one_after_another_are_listed_in_that_order(string op)
    {
        var (type, board) = (Game.Fresh("tie"), Game.Fresh("tie"));
        await _server.DefineAsync("/api/leaderboards", new { key = board, name = "Ties", source = $"{type}:v", @operator = op });
        var users = UsersInPostingOrder();
        foreach (var user in users)
        {
            await _server.EventAsync(user, type, new { v = 30 });
        }
        Assert.Equal(users, await BoardAsync(board));
    }

    [Fact]
    public async Task Users_reaching_one_score_in_one_batch_are_listed_in_the_batch_order()
    {
        var (type, board) = (Game.Fresh("tie"), Game.Fresh("tie"));
        await _server.DefineAsync("/api/leaderboards", new { key = board, name = "Ties", source = $"{type}:v", @operator = "best" });
        var users = UsersInPostingOrder();
        var answer = await _server.PostAsync("/api/events",
            new { events = users.Select(user => new { id = Guid.NewGuid().ToString("N"), user, type, data = new { v = 30 } }).ToArray() });
        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        Assert.Equal(users, await BoardAsync(board));
    }

    [Fact]
    public async Task A_user_reaching_a_tied_score_again_later_moves_behind_the_others()
    {
        var (type, board) = (Game.Fresh("tie"), Game.Fresh("tie"));
        await _server.DefineAsync("/api/leaderboards", new { key = board, name = "Ties", source = $"{type}:v", @operator = "set" });
        var users = UsersInPostingOrder();
        foreach (var user in users)
        {
            await _server.EventAsync(user, type, new { v = 30 });
        }
        await _server.EventAsync(users[0], type, new { v = 10 });
        await _server.EventAsync(users[0], type, new { v = 30 }); // reached 30 again, last of all
        Assert.Equal([.. users.Skip(1), users[0]], await BoardAsync(board));
    }

    [Fact]
    public async Task A_late_event_for_a_past_period_ranks_in_its_answer_but_sends_no_rank_changed()
    {
        var (type, board) = (Game.Fresh("late"), Game.Fresh("late"));
        await _server.DefineAsync("/api/leaderboards", new { key = board, name = "Daily", source = $"{type}:v", @operator = "incr", period = "daily" });
        var ada = Users.New("ada");
        await using var ws = await _chat.ConnectAsync(ada, "Ada");
        await ws.SubscribeAsync($"user:{ada}");

        var yesterday = _clock.GetUtcNow().AddDays(-1).ToString("O", CultureInfo.InvariantCulture);
        var late = await _server.EventAsync(ada, type, new { v = 5 }, time: yesterday);
        Assert.Equal(1, late.GetProperty("leaderboards")[0].Long("rank")); // first in yesterday's period
        var today = await _server.EventAsync(ada, type, new { v = 7 });
        Assert.Equal(1, today.GetProperty("leaderboards")[0].Long("rank"));

        var changed = await ws.NextAsync(f => f.Type() == "rank_changed");
        Assert.Equal(7, (await _server.GetAsync($"/api/leaderboards/{board}")).Body.GetProperty("entries")[0].GetProperty("score").GetDouble());
        Assert.Equal((board, 1L), (changed.GetProperty("data").Str("board"), changed.GetProperty("data").Long("rank")));
        // The first rank_changed is today's: it follows today's event, so none was sent for yesterday's.
        var frames = ws.Frames.Where(f => f.Type() is "rank_changed" or "xp_gained").Select(f => f.Type()).ToList();
        Assert.Equal(["rank_changed"], frames);
    }

    [Fact]
    public async Task Participants_reaching_equal_progress_one_after_another_are_listed_in_that_order()
    {
        var type = Game.Fresh("tie");
        var now = _clock.GetUtcNow();
        var created = await _server.DefineAsync("/api/challenges", new
        {
            title = "Ties", type, goal = 100,
            starts_at = now.AddHours(-1).ToString("O", CultureInfo.InvariantCulture), ends_at = now.AddHours(1).ToString("O", CultureInfo.InvariantCulture),
        });
        var id = created.Str("id");
        var users = UsersInPostingOrder();
        foreach (var user in users)
        {
            using var api = _chat.Api(user, user);
            var joined = await api.PostRawAsync($"/api/challenges/{id}/join", null);
            Assert.True(joined.Status == HttpStatusCode.OK, joined.ToString());
        }
        foreach (var user in users)
        {
            await _server.EventAsync(user, type);
        }
        var participants = (await _server.GetAsync($"/api/challenges/{id}/participants?limit=50")).Body.GetProperty("participants");
        Assert.Equal(users, participants.EnumerateArray().Select(p => p.Str("user")!).ToList());
    }
}

public sealed class SqliteTieOrderTests() : TieOrderTests("sqlite", redis: false);

public sealed class PostgresTieOrderTests() : TieOrderTests("postgres", redis: false);

public sealed class PostgresRedisTieOrderTests() : TieOrderTests("postgres", redis: true);

public sealed class SqliteRedisTieOrderTests() : TieOrderTests("sqlite", redis: true);
