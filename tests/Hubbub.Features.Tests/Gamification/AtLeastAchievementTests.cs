using Hubbub.Features.Tests.Infrastructure;

namespace Hubbub.Features.Tests.Gamification;

/// <summary>
/// An achievement with <c>at_least</c> counts the events whose <c>data[field]</c> reaches that value, not their sum: issue
/// 18's "perfect score" (a black-box audit found only sums and counts: two scores of 60 unlocked a sum of 100).
/// </summary>
public abstract class AtLeastAchievementTests(GameFixture fixture)
{
    private ChatServer Chat => fixture.Chat;

    [Fact]
    public async Task Only_events_whose_field_reaches_at_least_count_towards_the_threshold()
    {
        using var server = Game.Server(Chat);
        var (type, key) = (Game.Fresh("quiz"), Game.Fresh("perfect"));
        var stored = await server.DefineAsync("/api/achievements",
            new { key, name = "Perfect score", rarity = "epic", xp = 40, hidden = false, type, field = "score", threshold = 2, at_least = 100 });
        Assert.Equal(100, stored.GetProperty("at_least").GetDouble());
        var ada = Users.New("ada");

        foreach (var data in new object?[] { new { score = 60 }, new { score = 60 }, new { score = 99.5 }, new { }, null, new { score = "100" } })
        {
            var effects = await server.EventAsync(ada, type, data);
            Assert.Empty(effects.GetProperty("achievements").EnumerateArray());
        }
        Assert.Empty((await server.EventAsync(ada, type, new { score = 100 })).GetProperty("achievements").EnumerateArray());
        var unlocking = await server.EventAsync(ada, type, new { score = 100 });
        var unlocked = Assert.Single(unlocking.GetProperty("achievements").EnumerateArray());
        Assert.Equal(key, unlocked.Str("key"));
        Assert.Empty((await server.EventAsync(ada, type, new { score = 100 })).GetProperty("achievements").EnumerateArray());

        var listing = (await server.GetAsync($"/api/achievements?user={ada}")).Body.GetProperty("achievements").EnumerateArray()
            .Single(a => a.Str("key") == key);
        Assert.Equal(100, listing.GetProperty("at_least").GetDouble());
        Assert.True(listing.GetProperty("unlocked").GetBoolean());
    }

    [Fact]
    public async Task A_negative_at_least_counts_every_number_at_or_above_it()
    {
        using var server = Game.Server(Chat);
        var (type, key) = (Game.Fresh("dive"), Game.Fresh("deep"));
        await server.DefineAsync("/api/achievements",
            new { key, name = "Shallow", rarity = "common", xp = 0, hidden = false, type, field = "depth", threshold = 1, at_least = -10 });
        var bob = Users.New("bob");
        Assert.Empty((await server.EventAsync(bob, type, new { depth = -11 })).GetProperty("achievements").EnumerateArray());
        Assert.Single((await server.EventAsync(bob, type, new { depth = -10 })).GetProperty("achievements").EnumerateArray());
    }
}

public sealed class SqliteAtLeastAchievementTests(SqliteGame fixture) : AtLeastAchievementTests(fixture), IClassFixture<SqliteGame>;

public sealed class PostgresAtLeastAchievementTests(PostgresGame fixture) : AtLeastAchievementTests(fixture), IClassFixture<PostgresGame>;
