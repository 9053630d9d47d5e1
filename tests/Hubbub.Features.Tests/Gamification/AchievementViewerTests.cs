using System.Net;
using System.Text.Json;
using Hubbub.Features.Tests.Infrastructure;

namespace Hubbub.Features.Tests.Gamification;

/// <summary>
/// Whose holdings <c>GET /api/achievements</c> marks: the caller's; a server or an admin names a user with <c>?user=</c>;
/// a user's token naming another user is <c>forbidden</c> (found by a black-box audit: it quietly showed the caller's own
/// state under the other's name).
/// </summary>
public abstract class AchievementViewerTests(GameFixture fixture)
{
    private ChatServer Chat => fixture.Chat;

    private static bool Unlocked(JsonElement list, string key) =>
        list.GetProperty("achievements").EnumerateArray().Single(a => a.Str("key") == key).GetProperty("unlocked").GetBoolean();

    [Fact]
    public async Task A_user_reads_their_own_holdings_and_only_a_server_or_an_admin_names_another_user()
    {
        using var server = Game.Server(Chat);
        var (type, key) = (Game.Fresh("step"), Game.Fresh("first"));
        await server.DefineAsync("/api/achievements", new { key, name = "First", rarity = "common", xp = 0, hidden = false, type, threshold = 1 });
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        await server.EventAsync(bob, type);

        using var adaApi = Chat.Api(ada, "Ada");
        var own = await adaApi.GetAsync("/api/achievements");
        Assert.True(own.Status == HttpStatusCode.OK, own.ToString());
        Assert.False(Unlocked(own.Body, key));
        Assert.False(Unlocked((await adaApi.GetAsync("/api/achievements?user=me")).Body, key));
        Assert.False(Unlocked((await adaApi.GetAsync($"/api/achievements?user={ada}")).Body, key));
        var other = await adaApi.GetAsync($"/api/achievements?user={bob}");
        Assert.Equal((HttpStatusCode.Forbidden, "forbidden"), (other.Status, other.Body.Str("code")));

        Assert.True(Unlocked((await server.GetAsync($"/api/achievements?user={bob}")).Body, key));
        using var admin = new ServerApi(Chat.Server.BaseAddress, bearer: TestTokens.For(Users.New("root"), roles: ["admin"]));
        Assert.True(Unlocked((await admin.GetAsync($"/api/achievements?user={bob}")).Body, key));
    }

    [Fact]
    public async Task A_hidden_achievement_shows_in_a_profile_only_to_its_holder_an_admin_and_the_server()
    {
        // Found by an audit: another user read it in the holder's profile while GET /api/achievements hid it.
        using var server = Game.Server(Chat);
        var (type, secret, open) = (Game.Fresh("dig"), Game.Fresh("secret"), Game.Fresh("open"));
        await server.DefineAsync("/api/achievements", new { key = secret, name = "Secret", rarity = "rare", xp = 0, hidden = true, type, threshold = 1 });
        await server.DefineAsync("/api/achievements", new { key = open, name = "Open", rarity = "common", xp = 0, hidden = false, type, threshold = 1 });
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        await server.EventAsync(ada, type);
        static List<string> Keys(JsonElement profile) => [.. profile.GetProperty("achievements").EnumerateArray().Select(a => a.Str("key"))];

        using var adaApi = Chat.Api(ada, "Ada");
        using var bobApi = Chat.Api(bob, "Bob");
        using var admin = new ServerApi(Chat.Server.BaseAddress, bearer: TestTokens.For(Users.New("root"), roles: ["admin"]));
        Assert.Equal([open, secret], Keys((await adaApi.GetAsync("/api/users/me/profile")).Body).Order(StringComparer.Ordinal));
        Assert.Equal([open, secret], Keys((await adaApi.GetAsync($"/api/users/{ada}/profile")).Body).Order(StringComparer.Ordinal));
        Assert.Equal([open], Keys((await bobApi.GetAsync($"/api/users/{ada}/profile")).Body));
        Assert.Equal([open, secret], Keys((await admin.GetAsync($"/api/users/{ada}/profile")).Body).Order(StringComparer.Ordinal));
        Assert.Equal([open, secret], Keys((await server.GetAsync($"/api/users/{ada}/profile")).Body).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_profile_lists_achievements_newest_unlock_first()
    {
        using var server = Game.Server(Chat);
        var type = Game.Fresh("step");
        var keys = Enumerable.Range(1, 3).Select(i => Game.Fresh($"steps{i}")).ToList();
        for (var i = 0; i < keys.Count; i++)
        {
            await server.DefineAsync("/api/achievements", new { key = keys[i], name = $"{i + 1} steps", rarity = "common", xp = 0, hidden = false, type, threshold = i + 1 });
        }
        var ada = Users.New("ada");
        foreach (var _ in keys)
        {
            await server.EventAsync(ada, type);
            await Task.Delay(5); // each unlock in a later millisecond
        }
        var profile = (await server.GetAsync($"/api/users/{ada}/profile")).Body.GetProperty("achievements").EnumerateArray().ToList();
        Assert.Equal([keys[2], keys[1], keys[0]], profile.Select(a => a.Str("key")));
        Assert.True(profile.Zip(profile.Skip(1)).All(p => p.First.GetProperty("unlocked_at").GetDateTime() >= p.Second.GetProperty("unlocked_at").GetDateTime()));
    }
}

public sealed class SqliteAchievementViewerTests(SqliteGame fixture) : AchievementViewerTests(fixture), IClassFixture<SqliteGame>;

public sealed class PostgresAchievementViewerTests(PostgresGame fixture) : AchievementViewerTests(fixture), IClassFixture<PostgresGame>;
