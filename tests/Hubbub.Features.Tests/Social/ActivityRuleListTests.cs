using System.Net;
using System.Text.Json;
using Hubbub.Features.Tests.Infrastructure;

namespace Hubbub.Features.Tests.Social;

/// <summary>
/// The activity rules are a bounded, paged list like every list (FEATURES.md "Always"): at most
/// <c>Social:MaxActivityRules</c> types (here 5), pages of <c>?limit=</c> walked with <c>next_cursor</c>; and their
/// texts' limits are <c>too_large</c> naming the field that is too long.
/// </summary>
public abstract class ActivityRuleListTests(ActivityRuleFixture fixture)
{
    private ChatServer Chat => fixture.Chat;

    [Fact]
    public async Task The_rules_page_by_type_and_a_new_type_past_the_bound_is_too_large_while_a_stored_one_is_replaced()
    {
        using var server = new ServerApi(Chat.Server.BaseAddress, TestServer.ApiKey);
        string[] types = ["r.e", "r.b", "r.d", "r.a", "r.c"]; // stored out of order: the list is by type
        foreach (var type in types)
        {
            Assert.Equal(HttpStatusCode.Created, (await server.PostAsync("/api/activity-rules", new { type, title = "t " + type })).Status);
        }

        var sixth = await server.PostAsync("/api/activity-rules", new { type = "r.f", title = "one too many" });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, sixth.Status);
        Assert.Equal("too_large", sixth.Body.GetProperty("code").GetString());
        // A description keeps its line breaks, as an activity's does.
        var replaced = await server.PostAsync("/api/activity-rules", new { type = "r.c", title = "changed", description = "line one\nline two" });
        Assert.Equal(HttpStatusCode.Created, replaced.Status);
        Assert.Equal("line one\nline two", replaced.Body.GetProperty("description").GetString());

        // Pages of two, walked with next_cursor (passed as ?cursor= and as ?before=): every type once, in order.
        var seen = new List<string>();
        string? cursor = null;
        for (var page = 0; page < 5; page++)
        {
            var answer = await server.GetAsync("/api/activity-rules?limit=2" + (cursor is null ? "" : (page % 2 == 0 ? "&cursor=" : "&before=") + cursor));
            Assert.Equal(HttpStatusCode.OK, answer.Status);
            var rules = answer.Body.GetProperty("rules").EnumerateArray().ToList();
            Assert.InRange(rules.Count, 1, 2);
            seen.AddRange(rules.Select(r => r.GetProperty("type").GetString()!));
            var next = answer.Body.GetProperty("next_cursor");
            if (next.ValueKind == JsonValueKind.Null)
            {
                break;
            }
            cursor = next.GetString();
        }
        Assert.Equal(["r.a", "r.b", "r.c", "r.d", "r.e"], seen);

        // Without a limit: the whole bounded list, no next page; the replaced rule shows its new title.
        var all = await server.GetAsync("/api/activity-rules");
        Assert.Equal(5, all.Body.GetProperty("rules").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, all.Body.GetProperty("next_cursor").ValueKind);
        Assert.Equal("changed", all.Body.GetProperty("rules")[2].GetProperty("title").GetString());

        Assert.Equal(HttpStatusCode.BadRequest, (await server.GetAsync("/api/activity-rules?limit=0")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.GetAsync("/api/activity-rules?limit=x")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.GetAsync("/api/activity-rules?cursor=r.a&before=r.b")).Status);
    }

    [Fact]
    public async Task A_rules_texts_past_their_limits_are_too_large_naming_the_field_and_nothing_is_stored()
    {
        using var server = new ServerApi(Chat.Server.BaseAddress, TestServer.ApiKey);
        async Task<(HttpStatusCode Status, string Code, string Message)> DefineAsync(object body)
        {
            var answer = await server.PostAsync("/api/activity-rules", body);
            return (answer.Status, answer.Body.GetProperty("code").GetString()!, answer.Body.GetProperty("message").GetString()!);
        }

        var description = await DefineAsync(new { type = "x.long", title = "t", description = new string('d', 2001) });
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "too_large"), (description.Status, description.Code));
        Assert.Contains("'description'", description.Message, StringComparison.Ordinal);

        var title = await DefineAsync(new { type = "x.long", title = new string('t', 201) });
        Assert.Equal("too_large", title.Code);
        Assert.Contains("'title'", title.Message, StringComparison.Ordinal);

        var when = Enumerable.Range(0, 11).ToDictionary(i => $"f{i}", i => (object)i);
        Assert.Equal("too_large", (await DefineAsync(new { type = "x.long", title = "t", when })).Code);
        Assert.Equal("too_large", (await DefineAsync(new { type = "x.long", title = "t", when = new Dictionary<string, object> { [new string('f', 201)] = 1 } })).Code);
        Assert.Equal("too_large", (await DefineAsync(new { type = "x.long", title = "t", when = new { sport = new string('s', 201) } })).Code);
        Assert.Equal("bad_request", (await DefineAsync(new { type = "x.long", title = "t", when = new { sport = new[] { 1 } } })).Code);
        Assert.Equal("bad_request", (await DefineAsync(new { type = "x.long", title = "t", when = new Dictionary<string, object> { [""] = 1 } })).Code);

        var all = await server.GetAsync("/api/activity-rules");
        Assert.DoesNotContain(all.Body.GetProperty("rules").EnumerateArray(), r => r.GetProperty("type").GetString() == "x.long");
    }
}

/// <summary>A server whose activity rules are bounded at 5, so the bound is reached in a test.</summary>
public abstract class ActivityRuleFixture : FeatureServerFixture
{
    /// <inheritdoc />
    protected override Dictionary<string, string?> Settings => new(FastKit) { ["Social:MaxActivityRules"] = "5" };
}

public sealed class SqliteActivityRules : ActivityRuleFixture
{
    public override string Engine => "sqlite";
}

public sealed class PostgresActivityRules : ActivityRuleFixture
{
    public override string Engine => "postgres";
}

public sealed class SqliteActivityRuleListTests(SqliteActivityRules fixture) : ActivityRuleListTests(fixture), IClassFixture<SqliteActivityRules>;

public sealed class PostgresActivityRuleListTests(PostgresActivityRules fixture) : ActivityRuleListTests(fixture), IClassFixture<PostgresActivityRules>;
