using System.Net;
using Hubbub.Features.Tests.Infrastructure;

namespace Hubbub.Features.Tests.Gamification;

/// <summary>
/// Sums of decimal <c>data</c> numbers add up as they read (found by a docs audit: a board showed
/// <c>43.400000000000006</c> for 13 + 20 + 6.2 + 4.2, and ten 0.1 km sum to 0.9999999999999999 in binary floating
/// point, short of a threshold of 1): a board's <c>incr</c> score, an achievement's sum and a challenge's progress.
/// </summary>
public abstract class DecimalSumTests(GameFixture fixture)
{
    private ChatServer Chat => fixture.Chat;

    [Fact]
    public async Task Decimal_amounts_sum_to_the_decimal_total_on_boards_achievements_and_challenges()
    {
        using var server = Game.Server(Chat);
        var (type, board, achievement) = (Game.Fresh("run"), Game.Fresh("km"), Game.Fresh("one-km"));
        await server.DefineAsync("/api/leaderboards", new { key = board, name = "Km", source = $"{type}:km" });
        await server.DefineAsync("/api/achievements", new { key = achievement, name = "One km", type, field = "km", threshold = 1 });
        var now = DateTimeOffset.UtcNow;
        var challenge = (await server.DefineAsync("/api/challenges", new
        {
            title = "One km", type, field = "km", goal = 1,
            starts_at = now.AddHours(-1).ToString("yyyy-MM-ddTHH:mm:ssZ"), ends_at = now.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ"),
        })).Str("id");
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        using (var api = Chat.Api(ada, "Ada"))
        {
            Assert.Equal(HttpStatusCode.OK, (await api.PostRawAsync($"/api/challenges/{challenge}/join", null)).Status);
        }

        var unlocked = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var effects = await server.EventAsync(ada, type, new { km = 0.1 });
            unlocked.AddRange(effects.GetProperty("achievements").EnumerateArray().Select(a => a.Str("key")));
        }
        Assert.Equal([achievement], unlocked); // reached by the tenth 0.1 km
        var me = (await server.GetAsync($"/api/challenges/{challenge}?user={ada}")).Body.GetProperty("me");
        Assert.Equal((1.0, true), (me.GetProperty("progress").GetDouble(), me.GetProperty("completed").GetBoolean()));

        foreach (var km in new[] { 13, 20, 6.2, 4.2 })
        {
            await server.EventAsync(bob, type, new { km });
        }
        var rows = (await server.GetAsync($"/api/leaderboards/{board}")).Body.GetProperty("entries").EnumerateArray()
            .ToDictionary(r => r.Str("user"), r => r.GetProperty("score").GetRawText());
        Assert.Equal(("43.4", "1"), (rows[bob], rows[ada]));
    }
}

public sealed class SqliteDecimalSumTests(SqliteGame fixture) : DecimalSumTests(fixture), IClassFixture<SqliteGame>;

public sealed class PostgresDecimalSumTests(PostgresGame fixture) : DecimalSumTests(fixture), IClassFixture<PostgresGame>;

public sealed class PostgresRedisDecimalSumTests(PostgresRedisGame fixture) : DecimalSumTests(fixture), IClassFixture<PostgresRedisGame>;
