using System.Net;
using Hubbub.Features.Tests.Infrastructure;

namespace Hubbub.Features.Tests.Gamification;

/// <summary>
/// Gamification's own results reach other features as domain events (<c>achievement.unlocked</c>, <c>level.up</c>), so a
/// social activity rule, narrowed by its <c>when</c>, makes a feed card of a legendary unlock or a level-up (issue 16:
/// "level-ups, legendary unlocks can become activities by rule"). A class of its own: the rules it stores are global.
/// </summary>
public abstract class ResultActivityTests(GameFixture fixture)
{
    private ChatServer Chat => fixture.Chat;

    [Fact]
    public async Task A_legendary_unlock_and_a_level_up_become_activities_by_rule_and_a_common_unlock_does_not()
    {
        using var server = Game.Server(Chat);
        var rule = await server.DefineAsync("/api/activity-rules",
            new { type = "achievement.unlocked", title = "{name} unlocked {achievement}", when = new { rarity = "legendary" } });
        Assert.Equal("legendary", rule.GetProperty("when").Str("rarity"));
        await server.DefineAsync("/api/activity-rules", new { type = "level.up", title = "{name} reached level {level}" });
        var type = Game.Fresh("marathon");
        await server.DefineAsync("/api/rules", new { type, xp = 150 }); // the default curve's level 2 is at 100 XP
        await server.DefineAsync("/api/achievements", new { key = Game.Fresh("legend"), name = "Legend", rarity = "legendary", xp = 0, type, threshold = 1 });
        await server.DefineAsync("/api/achievements", new { key = Game.Fresh("basic"), name = "Basic", rarity = "common", xp = 0, type, threshold = 1 });
        var ada = Users.New("ada");
        await using var ws = await Chat.ConnectAsync(ada, "Ada");
        await ws.SubscribeAsync($"feed:{ada}");

        var effects = await server.EventAsync(ada, type);
        Assert.Equal(2, effects.GetProperty("achievements").GetArrayLength());
        Assert.Equal(2, effects.Long("level"));

        // The handlers run after the commit: the cards arrive live, then the feed holds exactly them.
        var titles = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            titles.Add((await ws.NextAsync(f => f.Type() == "friend_activity")).GetProperty("data").GetProperty("activity").Str("title"));
        }
        Assert.Equal(["Ada reached level 2", "Ada unlocked Legend"], titles.Order());
        using var adaApi = Chat.Api(ada, "Ada");
        var feed = (await adaApi.GetAsync("/api/feed")).Body.GetProperty("activities").EnumerateArray().ToList();
        Assert.Equal(["Ada reached level 2", "Ada unlocked Legend"], feed.Select(a => a.Str("title")).Order());
        var unlock = feed.Single(a => a.Str("type") == "achievement.unlocked").GetProperty("data");
        Assert.Equal((ada, "Legend", "legendary"), (unlock.Str("user"), unlock.Str("achievement"), unlock.Str("rarity")));
    }

    [Fact]
    public async Task A_rules_when_must_be_an_object_of_at_most_ten_plain_values()
    {
        using var server = Game.Server(Chat);
        foreach (var (when, status) in new (object, HttpStatusCode)[]
                 {
                     (new[] { 1 }, HttpStatusCode.BadRequest), ("legendary", HttpStatusCode.BadRequest),
                     (new { rarity = new { nested = 1 } }, HttpStatusCode.BadRequest), (new { rarity = new[] { "epic" } }, HttpStatusCode.BadRequest),
                     (new { rarity = (string?)null }, HttpStatusCode.BadRequest), (new Dictionary<string, int> { [""] = 1 }, HttpStatusCode.BadRequest),
                     // Past a limit: too_large, as every text and list (FEATURES.md "Always").
                     (Enumerable.Range(0, 11).ToDictionary(i => $"f{i}", i => i), HttpStatusCode.RequestEntityTooLarge),
                     (new { rarity = new string('x', 201) }, HttpStatusCode.RequestEntityTooLarge),
                 })
        {
            var answer = await server.PostAsync("/api/activity-rules", new { type = Game.Fresh("t"), title = "x", when });
            Assert.True(answer.Status == status, $"{System.Text.Json.JsonSerializer.Serialize(when)}: {answer}");
        }
        var type = Game.Fresh("t");
        var none = await server.DefineAsync("/api/activity-rules", new { type, title = "x", when = new { } });
        Assert.Equal(System.Text.Json.JsonValueKind.Null, none.GetProperty("when").ValueKind); // {} is no condition
        var listed = (await server.GetAsync("/api/activity-rules")).Body.GetProperty("rules").EnumerateArray().Single(r => r.Str("type") == type);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, listed.GetProperty("when").ValueKind);
    }
}

public sealed class SqliteResultActivityTests(SqliteGame fixture) : ResultActivityTests(fixture), IClassFixture<SqliteGame>;

public sealed class PostgresResultActivityTests(PostgresGame fixture) : ResultActivityTests(fixture), IClassFixture<PostgresGame>;
