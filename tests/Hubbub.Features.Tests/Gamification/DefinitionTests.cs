using System.Net;
using System.Text.Json;
using Hubbub.Features.Tests.Infrastructure;

namespace Hubbub.Features.Tests.Gamification;

/// <summary>
/// Definitions: every field's bad input refused with the reason and nothing stored, a taken key <c>conflict</c>, the
/// stored object answered (201) and listed, PUT and DELETE, a change applying to later events only, and hidden
/// achievements with <c>unlocked_percent</c>.
/// </summary>
public abstract class DefinitionTests(GameFixture fixture)
{
    private ChatServer Chat => fixture.Chat;

    public static TheoryData<string, string, string> BadDefinitions() => new()
    {
        // path, body, a word the message must hold
        { "/api/rules", """{"xp":5}""", "'type'" },
        { "/api/rules", """{"type":"","xp":5}""", "'type'" },
        { "/api/rules", """{"type":"a b","xp":5}""", "'type'" },
        { "/api/rules", """{"type":"a:b","xp":5}""", "'type'" },
        { "/api/rules", """{"type":"t"}""", "'xp'" },
        { "/api/rules", """{"type":"t","xp":-1}""", "'xp'" },
        { "/api/rules", """{"type":"t","xp":1000001}""", "'xp'" },
        { "/api/rules", """{"type":"t","xp":5,"field":"km","factor":2}""", "not both" },
        { "/api/rules", """{"type":"t","field":"km"}""", "'factor'" },
        { "/api/rules", """{"type":"t","field":"km","factor":0}""", "'factor'" },
        { "/api/rules", """{"type":"t","field":"k.m","factor":1}""", "'field'" },
        { "/api/rules", """{"type":"t","field":"km","factor":1,"max":-5}""", "'max'" },
        { "/api/rules", """{"type":"t","xp":"ten"}""", "JSON" },
        { "/api/achievements", """{"name":"A","type":"t","threshold":1}""", "'key'" },
        { "/api/achievements", """{"key":"a/b","name":"A","type":"t","threshold":1}""", "'key'" },
        { "/api/achievements", """{"key":"a","type":"t","threshold":1}""", "'name'" },
        { "/api/achievements", """{"key":"a","name":"   ","type":"t","threshold":1}""", "'name'" },
        { "/api/achievements", """{"key":"a","name":"A\u0007","type":"t","threshold":1}""", "'name'" },
        { "/api/achievements", """{"key":"a","name":"A","rarity":"mythic","type":"t","threshold":1}""", "'rarity'" },
        { "/api/achievements", """{"key":"a","name":"A","xp":-3,"type":"t","threshold":1}""", "'xp'" },
        { "/api/achievements", """{"key":"a","name":"A","threshold":1}""", "'type'" },
        { "/api/achievements", """{"key":"a","name":"A","type":"t"}""", "'threshold'" },
        { "/api/achievements", """{"key":"a","name":"A","type":"t","threshold":0}""", "'threshold'" },
        { "/api/achievements", """{"key":"a","name":"A","type":"t","threshold":1.5}""", "whole" },
        { "/api/achievements", """{"key":"a","name":"A","type":"t","field":"","threshold":1}""", "'field'" },
        { "/api/achievements", """{"key":"a","name":"A","type":"t","threshold":1,"hidden":"yes"}""", "JSON" },
        { "/api/achievements", """{"key":"a","name":"A","type":"t","threshold":1,"at_least":100}""", "'at_least' needs a 'field'" },
        { "/api/achievements", """{"key":"a","name":"A","type":"t","field":"score","threshold":1,"at_least":1e300}""", "'at_least'" },
        { "/api/achievements", """{"key":"a","name":"A","type":"t","field":"score","threshold":1.5,"at_least":100}""", "whole" },
        { "/api/achievements", """{"key":"a","name":"A","type":"t","field":"score","threshold":1,"at_least":"full"}""", "JSON" },
        { "/api/quests", """{"key":"q","name":"Q","type":"t","count":1,"xp":1}""", "'period'" },
        { "/api/quests", """{"key":"q","name":"Q","period":"monthly","type":"t","count":1,"xp":1}""", "'period'" },
        { "/api/quests", """{"key":"q","name":"Q","period":"daily","type":"t","xp":1}""", "'count'" },
        { "/api/quests", """{"key":"q","name":"Q","period":"daily","type":"t","count":0,"xp":1}""", "'count'" },
        { "/api/quests", """{"key":"q","name":"Q","period":"daily","type":"t","count":1,"xp":-1}""", "'xp'" },
        { "/api/quests", """{"key":"q","name":"Q","period":"daily","count":1,"xp":1}""", "'type'" },
        { "/api/quests", """{"name":"Q","period":"daily","type":"t","count":1,"xp":1}""", "'key'" },
        { "/api/streaks", """{"key":"s","name":"S"}""", "'type'" },
        { "/api/streaks", """{"key":"s","type":"t"}""", "'name'" },
        { "/api/streaks", """{"name":"S","type":"t"}""", "'key'" },
        { "/api/streaks", """{"key":"s","name":"S","type":"t","grace_days":-1}""", "'grace_days'" },
        { "/api/streaks", """{"key":"s","name":"S","type":"t","grace_days":366}""", "'grace_days'" },
        { "/api/leaderboards", """{"key":"l","name":"L"}""", "'source'" },
        { "/api/leaderboards", """{"key":"l","name":"L","source":"a:b:c"}""", "'source'" },
        { "/api/leaderboards", """{"key":"l","name":"L","source":"t:"}""", "'source'" },
        { "/api/leaderboards", """{"key":"l","name":"L","source":"xp","operator":"max"}""", "'operator'" },
        { "/api/leaderboards", """{"key":"l","name":"L","source":"xp","period":"yearly"}""", "'period'" },
        { "/api/leaderboards", """{"key":"l","name":"L","source":"xp","order":"up"}""", "'order'" },
        { "/api/leaderboards", """{"key":"l:x","name":"L","source":"xp"}""", "'key'" },
        { "/api/leaderboards", """{"key":"l","source":"xp"}""", "'name'" },
        { "/api/leaderboards", """[]""", "JSON" },
        { "/api/leaderboards", "", "body" },
    };

    [Theory]
    [MemberData(nameof(BadDefinitions))]
    public async Task A_bad_definition_is_refused_with_the_reason_and_nothing_is_stored(string path, string body, string reason)
    {
        using var server = Game.Server(Chat);
        var before = (await server.GetAsync(path)).Body.ToString();
        var answer = await server.SendAsync(HttpMethod.Post, path, body);
        Assert.True(answer.Status == HttpStatusCode.BadRequest, answer.ToString());
        Assert.Equal("bad_request", answer.Code);
        Assert.Contains(reason, answer.Body.Str("message"), StringComparison.Ordinal);
        Assert.Equal(before, (await server.GetAsync(path)).Body.ToString());
    }

    [Fact]
    public async Task Too_long_texts_are_too_large_and_posting_a_taken_key_again_replaces_its_definition()
    {
        using var server = Game.Server(Chat);
        var key = Game.Fresh("ach");
        var tooLong = await server.PostAsync("/api/achievements", new { key, name = new string('n', 101), type = "t", threshold = 1 });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLong.Status);
        var longText = await server.PostAsync("/api/achievements", new { key, name = "N", description = new string('d', 1001), type = "t", threshold = 1 });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, longText.Status);

        var created = await server.DefineAsync("/api/achievements", new { key, name = " Marathon ", type = "t", threshold = 42, field = "km" });
        Assert.Equal(("Marathon", "common", 0L, false), (created.Str("name"), created.Str("rarity"), created.Long("xp"), created.GetProperty("hidden").GetBoolean()));
        Assert.Equal("km", created.Str("field"));
        var again = await server.DefineAsync("/api/achievements", new { key, name = "Other", type = "t", threshold = 1 });
        Assert.Equal(("Other", 1.0), (again.Str("name"), again.GetProperty("threshold").GetDouble()));
        var listed = (await server.GetAsync("/api/achievements")).Body.GetProperty("achievements").EnumerateArray().Where(a => a.Str("key") == key).ToList();
        Assert.Equal("Other", Assert.Single(listed).Str("name"));

        // An XP rule's key is its event type: posting one again changes the XP of later events.
        var type = Game.Fresh("t");
        var user = Users.New("u");
        await server.DefineAsync("/api/rules", new { type, xp = 1 });
        Assert.Equal(1L, (await server.EventAsync(user, type, new { })).Long("xp"));
        await server.DefineAsync("/api/rules", new { type, xp = 2 });
        Assert.Equal(2L, (await server.EventAsync(user, type, new { })).Long("xp"));
        Assert.Single((await server.GetAsync("/api/rules")).Body.GetProperty("rules").EnumerateArray(), r => r.Str("type") == type);
    }

    [Fact]
    public async Task Definitions_are_listed_replaced_and_removed_and_a_change_applies_to_later_events_only()
    {
        using var server = Game.Server(Chat);
        var type = Game.Fresh("swim");
        var quest = Game.Fresh("q");
        await server.DefineAsync("/api/rules", new { type, xp = 10 });
        await server.DefineAsync("/api/quests", new { key = quest, name = "Two swims", period = "daily", type, count = 2, xp = 5 });
        var rules = (await server.GetAsync("/api/rules")).Body.GetProperty("rules").EnumerateArray();
        Assert.Equal(10, rules.Single(r => r.Str("type") == type).Long("xp"));
        Assert.Contains((await server.GetAsync("/api/quests")).Body.GetProperty("quests").EnumerateArray(), q => q.Str("key") == quest);
        var user = Users.New("gus");

        Assert.Equal(10, (await server.EventAsync(user, type)).Long("xp"));
        var replaced = await server.PutAsync($"/api/rules/{type}", new { xp = 20 });
        Assert.Equal(HttpStatusCode.OK, replaced.Status);
        Assert.Equal(20, replaced.Body.Long("xp"));
        Assert.Equal(25, (await server.EventAsync(user, type)).Long("xp")); // the new rule and the quest
        Assert.Equal(35, (await server.GetAsync($"/api/users/{user}/profile")).Body.Long("xp")); // the first event kept its 10

        Assert.Equal(HttpStatusCode.NotFound, (await server.PutAsync($"/api/rules/{Game.Fresh("none")}", new { xp = 1 })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.PutAsync($"/api/quests/{quest}", new { key = "other", name = "Q", period = "daily", type, count = 1 })).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await server.SendAsync(HttpMethod.Delete, $"/api/rules/{type}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await server.SendAsync(HttpMethod.Delete, $"/api/rules/{type}")).Status);
        Assert.Equal(0, (await server.EventAsync(user, type)).Long("xp"));
        Assert.Equal(35, (await server.GetAsync($"/api/users/{user}/profile")).Body.Long("xp"));
    }

    [Fact]
    public async Task Every_definition_list_is_read_in_pages_by_key()
    {
        using var server = Game.Server(Chat);
        var prefix = Game.Fresh("pg");
        var types = Enumerable.Range(0, 5).Select(i => $"{prefix}.{i}").ToList();
        foreach (var type in types.AsEnumerable().Reverse())
        {
            await server.DefineAsync("/api/rules", new { type, xp = 1 });
            await server.DefineAsync("/api/achievements", new { key = type, name = "A", description = "", rarity = "common", xp = 0, hidden = false, type, threshold = 1 });
        }
        foreach (var (path, list, key) in new[] { ("/api/rules", "rules", "type"), ("/api/achievements", "achievements", "key") })
        {
            // Other tests of this server define more: walk every page and look for these five, each once, in key order.
            var whole = (await server.GetAsync(path)).Body;
            Assert.Equal(JsonValueKind.Null, whole.GetProperty("next_cursor").ValueKind); // no limit: the whole list, as before
            var walked = new List<string>();
            string? cursor = null;
            for (var pages = 0; pages < 1000; pages++)
            {
                var page = (await server.GetAsync($"{path}?limit=2{(cursor is null ? "" : $"&before={Uri.EscapeDataString(cursor)}")}")).Body;
                var keys = page.GetProperty(list).EnumerateArray().Select(d => d.Str(key)).ToList();
                Assert.True(keys.Count <= 2);
                walked.AddRange(keys);
                cursor = page.GetProperty("next_cursor").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next_cursor").GetString();
                if (cursor is null)
                {
                    break;
                }
            }
            Assert.Null(cursor);
            Assert.Equal(whole.GetProperty(list).EnumerateArray().Select(d => d.Str(key)).Order(StringComparer.Ordinal), walked);
            Assert.Equal(types, walked.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)));
            foreach (var bad in new[] { "limit=0", "limit=10001", "limit=two", "before=a&cursor=b" })
            {
                Assert.Equal(HttpStatusCode.BadRequest, (await server.GetAsync($"{path}?{bad}")).Status);
            }
        }
    }

    [Fact]
    public async Task Achievements_list_unlocked_percent_and_hidden_ones_only_to_holders_admins_and_the_server()
    {
        using var server = Game.Server(Chat);
        var type = Game.Fresh("secret");
        var (open, hidden) = (Game.Fresh("open"), Game.Fresh("hidden"));
        await server.DefineAsync("/api/achievements", new { key = open, name = "Open", rarity = "common", type, threshold = 1, hidden = false });
        await server.DefineAsync("/api/achievements", new { key = hidden, name = "Hidden", rarity = "legendary", type, threshold = 1, hidden = true });
        var (holder, other) = (Users.New("hal"), Users.New("ivy"));
        await server.EventAsync(holder, type);
        await server.EventAsync(other, Game.Fresh("unrelated")); // a known user who holds nothing

        using var holderApi = Chat.Api(holder);
        using var otherApi = Chat.Api(other);
        using var admin = Chat.Api(Users.New("root"));
        var mine = (await holderApi.GetAsync("/api/achievements")).Body.GetProperty("achievements").EnumerateArray().ToList();
        var held = mine.Single(a => a.Str("key") == hidden);
        Assert.True(held.GetProperty("unlocked").GetBoolean());
        var percent = held.GetProperty("unlocked_percent").GetDouble();
        Assert.InRange(percent, 0.001, 100);
        var theirs = (await otherApi.GetAsync("/api/achievements")).Body.GetProperty("achievements").EnumerateArray().ToList();
        Assert.DoesNotContain(theirs, a => a.Str("key") == hidden);
        Assert.False(theirs.Single(a => a.Str("key") == open).GetProperty("unlocked").GetBoolean());
        Assert.Equal(percent, theirs.Single(a => a.Str("key") == open).GetProperty("unlocked_percent").GetDouble());
        Assert.Contains((await server.GetAsync("/api/achievements")).Body.GetProperty("achievements").EnumerateArray(), a => a.Str("key") == hidden);
        using var adminApi = new ServerApi(Chat.Server.BaseAddress, bearer: TestTokens.For(Users.New("root"), roles: ["admin"]));
        Assert.Contains((await adminApi.GetAsync("/api/achievements")).Body.GetProperty("achievements").EnumerateArray(), a => a.Str("key") == hidden);
    }

    [Theory]
    [InlineData("/api/achievements", """{"key":"a","name":"A","type":"t","threshold":1,"hidden":"no"}""", "'hidden'")]
    [InlineData("/api/rules", """{"type":"t","xp":"ten"}""", "'xp'")]
    [InlineData("/api/events", """{"events":[{"id":"e1","user":"u","type":"t"},{"id":7,"user":"u","type":"t"}]}""", "'events[1].id'")]
    public async Task A_field_of_the_wrong_type_is_named_in_the_refusal(string path, string body, string field)
    {
        using var server = Game.Server(Chat);
        var answer = await server.SendAsync(HttpMethod.Post, path, body);
        Assert.True(answer.Status == HttpStatusCode.BadRequest, answer.ToString());
        Assert.Equal("bad_request", answer.Code);
        Assert.Contains(field, answer.Body.Str("message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_definition_answers_the_created_at_a_later_read_shows_to_the_millisecond()
    {
        using var server = Game.Server(Chat);
        var type = Game.Fresh("ms");
        var posted = (await server.DefineAsync("/api/rules", new { type, xp = 1 })).Str("created_at");
        var listed = (await server.GetAsync("/api/rules")).Body.GetProperty("rules").EnumerateArray().Single(r => r.Str("type") == type).Str("created_at");
        Assert.Equal(listed, posted);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z$", posted);
    }

    [Fact]
    public async Task A_removed_definition_takes_its_state_along_and_a_board_with_scores_keeps_its_source_and_operator()
    {
        using var server = Game.Server(Chat);
        var (run, ride, board, badge) = (Game.Fresh("run"), Game.Fresh("ride"), Game.Fresh("board"), Game.Fresh("badge"));
        var user = Users.New("ada");
        await server.DefineAsync("/api/leaderboards", new { key = board, name = "Km", source = $"{run}:km" });
        await server.DefineAsync("/api/achievements", new { key = badge, name = "First run", type = run, threshold = 1, xp = 10 });
        Assert.Equal(5.0, (await server.EventAsync(user, run, new { km = 5 })).GetProperty("leaderboards")[0].GetProperty("score").GetDouble());

        var changed = await server.PutAsync($"/api/leaderboards/{board}", new { name = "Km", source = $"{ride}:km" });
        Assert.Equal((HttpStatusCode.Conflict, "board_has_scores"), (changed.Status, changed.Body.Str("reason")));
        var best = await server.PutAsync($"/api/leaderboards/{board}", new { name = "Km", source = $"{run}:km", @operator = "best" });
        Assert.Equal((HttpStatusCode.Conflict, "board_has_scores"), (best.Status, best.Body.Str("reason")));
        var posted = await server.PostAsync("/api/leaderboards", new { key = board, name = "Km", source = $"{ride}:km" });
        Assert.Equal((HttpStatusCode.Conflict, "board_has_scores"), (posted.Status, posted.Body.Str("reason"))); // a POST of a taken key too
        var renamed = await server.PutAsync($"/api/leaderboards/{board}", new { name = "Kilometres", source = $"{run}:km", order = "asc" });
        Assert.Equal(HttpStatusCode.OK, renamed.Status); // name, period and order may change
        Assert.Equal(5.0, (await server.GetAsync($"/api/leaderboards/{board}")).Body.GetProperty("entries")[0].GetProperty("score").GetDouble());

        Assert.Equal(HttpStatusCode.NoContent, (await server.SendAsync(HttpMethod.Delete, $"/api/leaderboards/{board}")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await server.SendAsync(HttpMethod.Delete, $"/api/achievements/{badge}")).Status);
        await server.DefineAsync("/api/leaderboards", new { key = board, name = "Rides", source = ride });
        await server.DefineAsync("/api/achievements", new { key = badge, name = "A thousand runs", type = run, threshold = 1000 });
        Assert.Empty((await server.GetAsync($"/api/leaderboards/{board}")).Body.GetProperty("entries").EnumerateArray());
        var listed = (await server.GetAsync($"/api/achievements?user={user}")).Body.GetProperty("achievements").EnumerateArray().Single(a => a.Str("key") == badge);
        Assert.False(listed.GetProperty("unlocked").GetBoolean());
        Assert.Equal(10, (await server.GetAsync($"/api/users/{user}/profile")).Body.Long("xp")); // the XP it gave stays given
        await server.EventAsync(user, ride);
        var row = Assert.Single((await server.GetAsync($"/api/leaderboards/{board}")).Body.GetProperty("entries").EnumerateArray());
        Assert.Equal((1L, 1.0), (row.Long("rank"), row.GetProperty("score").GetDouble()));
    }
}

public sealed class SqliteDefinitionTests(SqliteGame fixture) : DefinitionTests(fixture), IClassFixture<SqliteGame>;

public sealed class PostgresDefinitionTests(PostgresGame fixture) : DefinitionTests(fixture), IClassFixture<PostgresGame>;
