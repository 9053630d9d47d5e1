using System.Globalization;
using System.Net;
using Hubbub.Features.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Hubbub.Features.Tests.Gamification;

/// <summary>
/// What depends on the clock, on a fake one: quests reset at each user's local midnight, streaks count local days
/// (across a daylight-saving change), board periods reset, <c>leaderboard_change</c> is coalesced.
/// </summary>
public abstract class ClockedGameTests(string engine) : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-03-27T12:00:00Z", CultureInfo.InvariantCulture);
    private readonly FakeTimeProvider _clock = new(Start);
    private ChatServer _chat = null!;
    private ServerApi _server = null!;

    public async Task InitializeAsync()
    {
        _chat = await ChatServer.StartAsync(engine, new() { ["Kit:PollMs"] = "50" }, _clock);
        _server = Game.Server(_chat);
    }

    public async Task DisposeAsync()
    {
        _server.Dispose();
        await _chat.DisposeAsync();
    }

    // Each call sets the zone through the next of the paths that change it (the profile's own, and the directory's).
    private static readonly (HttpMethod Method, string Suffix)[] ZonePaths =
        [(HttpMethod.Patch, ""), (HttpMethod.Patch, "/profile"), (HttpMethod.Put, "/profile"), (HttpMethod.Put, "")];

    private int _zoneCalls;

    private async Task SetZoneAsync(string user, string zone)
    {
        var (method, suffix) = ZonePaths[_zoneCalls++ % ZonePaths.Length];
        var answer = await _server.SendAsync(method, $"/api/users/{user}{suffix}", $$"""{"timezone":"{{zone}}"}""");
        Assert.True(answer.Status == HttpStatusCode.OK, $"{method} /api/users/{{id}}{suffix}: {answer}");
        Assert.Equal(zone, answer.Body.Str("timezone"));
    }

    private void AdvanceTo(DateTimeOffset at)
    {
        Assert.True(at >= _clock.GetUtcNow(), $"the clock only goes forward ({at:o} < {_clock.GetUtcNow():o})");
        _clock.SetUtcNow(at);
    }

    [Fact]
    public async Task A_daily_quest_resets_at_each_users_local_midnight_in_three_time_zones()
    {
        var type = Game.Fresh("walk");
        var quest = Game.Fresh("q");
        await _server.DefineAsync("/api/quests", new { key = quest, name = "Two walks", period = "daily", type, count = 2, xp = 10 });
        // Local midnights after Start, in the order the clock meets them.
        foreach (var zone in new[] { "Asia/Tokyo", "Europe/Berlin", "America/Los_Angeles" })
        {
            var user = Users.New("walker");
            await SetZoneAsync(user, zone);
            var tz = TimeZoneInfo.FindSystemTimeZoneById(zone);
            var localNow = TimeZoneInfo.ConvertTime(_clock.GetUtcNow(), tz);
            var midnight = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(localNow.Date.AddDays(1), tz), TimeSpan.Zero);

            var one = (await _server.EventAsync(user, type)).GetProperty("quests")[0];
            Assert.Equal((1L, false), (one.Long("progress"), one.GetProperty("completed").GetBoolean()));
            AdvanceTo(midnight.AddMinutes(-1));
            var profileBefore = (await _server.GetAsync($"/api/users/{user}/profile")).Body.GetProperty("quests").EnumerateArray().Single(q => q.Str("key") == quest);
            Assert.Equal(1, profileBefore.Long("progress"));
            Assert.Equal(midnight.UtcDateTime, profileBefore.GetProperty("resets_at").GetDateTime().ToUniversalTime());
            var two = await _server.EventAsync(user, type);
            Assert.True(two.GetProperty("quests")[0].GetProperty("completed").GetBoolean());
            Assert.Equal(10, two.Long("xp"));

            AdvanceTo(midnight.AddMinutes(1));
            var after = (await _server.GetAsync($"/api/users/{user}/profile")).Body.GetProperty("quests").EnumerateArray().Single(q => q.Str("key") == quest);
            Assert.Equal((0L, false), (after.Long("progress"), after.GetProperty("completed").GetBoolean())); // a new local day
            var fresh = (await _server.EventAsync(user, type)).GetProperty("quests")[0];
            Assert.Equal((1L, false), (fresh.Long("progress"), fresh.GetProperty("completed").GetBoolean()));
        }
    }

    [Fact]
    public async Task A_streak_counts_local_days_across_a_daylight_saving_change_and_breaks_after_a_missed_day()
    {
        var type = Game.Fresh("practice");
        var (streak, lenient) = (Game.Fresh("s"), Game.Fresh("lenient"));
        await _server.DefineAsync("/api/streaks", new { key = streak, name = "Daily practice", type });
        await _server.DefineAsync("/api/streaks", new { key = lenient, name = "With a day of grace", type, grace_days = 1 });
        var user = Users.New("musician");
        await SetZoneAsync(user, "Europe/Berlin");

        // Berlin moves from +01:00 to +02:00 on 2026-03-29. Local days 28, 29, 30; in UTC the last two are both the 29th.
        int Count(System.Text.Json.JsonElement effects, string key) =>
            (int)effects.GetProperty("streaks").EnumerateArray().Single(s => s.Str("key") == key).Long("count");
        AdvanceTo(DateTimeOffset.Parse("2026-03-28T22:30:00Z", CultureInfo.InvariantCulture)); // 23:30 local on the 28th
        Assert.Equal(1, Count(await _server.EventAsync(user, type), streak));
        AdvanceTo(DateTimeOffset.Parse("2026-03-29T21:30:00Z", CultureInfo.InvariantCulture)); // 23:30 local on the 29th
        Assert.Equal(2, Count(await _server.EventAsync(user, type), streak));
        AdvanceTo(DateTimeOffset.Parse("2026-03-29T22:30:00Z", CultureInfo.InvariantCulture)); // 00:30 local on the 30th
        Assert.Equal(3, Count(await _server.EventAsync(user, type), streak));
        Assert.Empty((await _server.EventAsync(user, type)).GetProperty("streaks").EnumerateArray()); // the same day again: unchanged

        // The 31st is missed: the strict streak starts again on April 1st, the lenient one goes on.
        AdvanceTo(DateTimeOffset.Parse("2026-04-01T08:00:00Z", CultureInfo.InvariantCulture));
        var profile = (await _server.GetAsync($"/api/users/{user}/profile")).Body.GetProperty("streaks").EnumerateArray().ToList();
        Assert.Equal(0, profile.Single(s => s.Str("key") == streak).Long("count")); // broken already
        Assert.Equal(3, profile.Single(s => s.Str("key") == lenient).Long("count"));
        Assert.Equal("2026-03-30", profile.Single(s => s.Str("key") == streak).Str("last_day"));
        var april = await _server.EventAsync(user, type);
        Assert.Equal(1, Count(april, streak));
        Assert.Equal(4, Count(april, lenient));
        Assert.Equal(3, april.GetProperty("streaks").EnumerateArray().Single(s => s.Str("key") == streak).Long("best"));
    }

    [Fact]
    public async Task A_daily_board_starts_empty_at_utc_midnight_and_the_past_day_stays_readable()
    {
        var (type, board) = (Game.Fresh("sale"), Game.Fresh("daily"));
        await _server.DefineAsync("/api/leaderboards", new { key = board, name = "Today", source = type, period = "daily" });
        var user = Users.New("seller");
        await _server.EventAsync(user, type);
        var today = (await _server.GetAsync($"/api/leaderboards/{board}")).Body;
        Assert.Equal(("2026-03-27", "2026-03-28T00:00:00Z"), (today.Str("period"), today.Str("resets_at")));
        Assert.Single(today.GetProperty("entries").EnumerateArray());

        AdvanceTo(DateTimeOffset.Parse("2026-03-28T00:00:00Z", CultureInfo.InvariantCulture));
        var next = (await _server.GetAsync($"/api/leaderboards/{board}")).Body;
        Assert.Equal("2026-03-28", next.Str("period"));
        Assert.Empty(next.GetProperty("entries").EnumerateArray());
        var yesterday = (await _server.GetAsync($"/api/leaderboards/{board}?period=2026-03-27")).Body;
        Assert.Equal(user, yesterday.GetProperty("entries")[0].Str("user"));
        var first = (await _server.EventAsync(user, type)).GetProperty("leaderboards")[0];
        Assert.Equal((1L, 1.0), (first.Long("rank"), first.GetProperty("score").GetDouble()));
    }

    [Fact]
    public async Task Leaderboard_changes_are_coalesced_to_one_per_board_per_250_ms()
    {
        var (type, board) = (Game.Fresh("hit"), Game.Fresh("hits"));
        await _server.DefineAsync("/api/leaderboards", new { key = board, name = "Hits", source = type });
        var players = Enumerable.Range(0, 4).Select(i => Users.New($"p{i}")).ToList();
        await using var watcher = await _chat.ConnectAsync(Users.New("watcher"));
        await watcher.SubscribeAsync($"leaderboard:{board}");
        bool IsChange(System.Text.Json.JsonElement f) => f.Type() == "leaderboard_change" && f.Channel() == $"leaderboard:{board}";

        await _server.EventAsync(players[0], type);
        var first = await watcher.NextAsync(IsChange); // a quiet board: at once
        Assert.Equal(players[0], first.GetProperty("data").GetProperty("entries")[0].Str("user"));
        for (var i = 0; i < 12; i++)
        {
            await _server.EventAsync(players[i % players.Count], type);
        }
        await Task.Delay(300); // real time passes; the fake clock does not
        Assert.Empty(await watcher.PendingAfterSyncAsync(IsChange));
        // Sent 300 ms apart (the interval and a fifth, for delivery jitter), so a client receives them at least 250 ms apart.
        _clock.Advance(TimeSpan.FromMilliseconds(299));
        await Task.Delay(200);
        Assert.Empty(await watcher.PendingAfterSyncAsync(IsChange));
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        var batch = await watcher.NextAsync(IsChange);
        var rows = batch.GetProperty("data").GetProperty("entries").EnumerateArray().ToList();
        // Every player moved: p0 stays first with 4 hits (3 + the first), the others arrived with 3 each, tied second.
        Assert.Equal(players.Count, rows.Count);
        Assert.Equal((1L, 4.0), (rows.Single(r => r.Str("user") == players[0]).Long("rank"), rows.Single(r => r.Str("user") == players[0]).GetProperty("score").GetDouble()));
        Assert.All(rows.Where(r => r.Str("user") != players[0]), r => Assert.Equal(2, r.Long("rank")));
        await Task.Delay(200);
        Assert.Empty(await watcher.PendingAfterSyncAsync(IsChange));
    }

    [Fact]
    public async Task A_past_days_board_reads_in_pages_as_the_current_one_does_and_around_me_names_the_page_after()
    {
        var (type, board) = (Game.Fresh("pp"), Game.Fresh("pastpages"));
        await _server.DefineAsync("/api/leaderboards", new { key = board, name = "Past", source = $"{type}:n", period = "daily" });
        var users = Enumerable.Range(0, 6).Select(i => Users.New($"d{i}")).ToList();
        double[] scores = [9, 4, 4, 4, 2, 2]; // ranks 1, 2, 2, 2, 5, 5
        foreach (var (user, score) in users.Zip(scores))
        {
            await _server.EventAsync(user, type, new { n = score });
        }
        static List<(long, string, double)> Rows(System.Text.Json.JsonElement page) =>
            page.GetProperty("entries").EnumerateArray().Select(e => (e.Long("rank"), e.Str("user"), e.GetProperty("score").GetDouble())).ToList();
        var today = (await _server.GetAsync($"/api/leaderboards/{board}?limit=100")).Body;
        AdvanceTo(DateTimeOffset.Parse("2026-03-28T00:00:00Z", CultureInfo.InvariantCulture));
        var whole = (await _server.GetAsync($"/api/leaderboards/{board}?period=2026-03-27&limit=100")).Body;
        Assert.Equal(Rows(today), Rows(whole));
        Assert.Equal([1L, 2, 2, 2, 5, 5], Rows(whole).Select(r => r.Item1));

        List<(long, string, double)> walked = [];
        string? cursor = null;
        for (var pages = 0; pages < 10; pages++)
        {
            var page = (await _server.GetAsync($"/api/leaderboards/{board}?period=2026-03-27&limit=2{(cursor is null ? "" : $"&cursor={cursor}")}")).Body;
            walked.AddRange(Rows(page));
            if ((cursor = page.GetProperty("next_cursor").GetString()) is null)
            {
                break;
            }
        }
        Assert.Equal(Rows(whole), walked); // 1, 2 | 2, 2 | 5, 5: the tie split by the first boundary keeps its rank
        Assert.Equal(HttpStatusCode.BadRequest, (await _server.GetAsync($"/api/leaderboards/{board}?period=2026-03-27&cursor=-2")).Status);

        var window = (await _server.GetAsync($"/api/leaderboards/{board}/around/{users[1]}?period=2026-03-27&limit=1")).Body;
        Assert.Equal(Rows(whole)[0..3], Rows(window));
        var after = (await _server.GetAsync($"/api/leaderboards/{board}?period=2026-03-27&cursor={window.GetProperty("next_cursor").GetString()}")).Body;
        Assert.Equal(Rows(whole)[3..], Rows(after));
        var last = (await _server.GetAsync($"/api/leaderboards/{board}/around/{users[4]}?period=2026-03-27&limit=1")).Body;
        Assert.Equal(System.Text.Json.JsonValueKind.Null, last.GetProperty("next_cursor").ValueKind);
    }
}

public sealed class SqliteClockedGameTests() : ClockedGameTests("sqlite");

public sealed class PostgresClockedGameTests() : ClockedGameTests("postgres");
