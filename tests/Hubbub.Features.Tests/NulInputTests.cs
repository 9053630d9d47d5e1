using System.Net;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Hubbub.Core.Commands;
using Hubbub.Features.Kit.Declaring;
using Hubbub.Features.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Hubbub.Features.Tests;

public abstract class NulInputFixture : FeatureServerFixture
{
    /// <inheritdoc />
    protected override Dictionary<string, string?> Settings => new() { ["Hubbub:MessagesPerSecond"] = "100000", ["Hubbub:Burst"] = "100000" };
}

public sealed class SqliteNulInput : NulInputFixture
{
    public override string Engine => "sqlite";
}

public sealed class PostgresNulInput : NulInputFixture
{
    public override string Engine => "postgres";
}

public sealed class NulInputSqliteTests(SqliteNulInput fixture) : NulInputTests(fixture), IClassFixture<SqliteNulInput>;

public sealed class NulInputPostgresTests(PostgresNulInput fixture) : NulInputTests(fixture), IClassFixture<PostgresNulInput>;

/// <summary>
/// A NUL (U+0000), which PostgreSQL text cannot hold, in every list's cursor and every command's text fields: a clear
/// <c>bad_request</c> (or, for a cursor, a page), the same on both engines, never <c>internal</c>. The lists are the
/// server's own GET routes and the commands its own registry, so an endpoint or command added later is swept too.
/// </summary>
public abstract class NulInputTests(FeatureServerFixture fixture)
{
    private const string Nul = "a\0b";

    private ChatServer Chat => fixture.Chat;

    [Fact]
    public async Task The_venue_list_refuses_a_cursor_no_venue_id_can_be_and_pages_after_an_invented_one()
    {
        using var api = Chat.Api(Users.New("ada"));
        foreach (var name in new[] { "after", "before", "cursor" })
        {
            foreach (var value in new[] { "%00", "a%00b", "%01" })
            {
                var refused = await api.GetAsync($"/api/venues?{name}={value}");
                Assert.True(refused.Status == HttpStatusCode.BadRequest, $"{name}={value}: {refused}");
                Assert.Equal("bad_request", refused.Code);
            }
        }
        var invented = await api.GetAsync("/api/venues?after=zzzzzzzz"); // no page gave it, but it is a place in the order
        Assert.Equal(HttpStatusCode.OK, invented.Status);
        Assert.Empty(invented.Body.GetProperty("venues").EnumerateArray());
    }

    [Fact]
    public async Task Every_list_answers_a_nul_in_its_cursor_with_a_clear_error_or_a_page()
    {
        var ids = await CreateOneOfEachAsync();
        var endpoints = Chat.Server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true
                && e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods.Contains("GET") == true)
            .Select(e => Path(e.RoutePattern.RawText!, ids))
            .Distinct()
            .ToList();
        Assert.Contains("/api/venues", endpoints);
        using var admin = new ApiClient(Chat.Server.BaseAddress, TestTokens.For(ids.User, roles: ["admin"]));
        var failures = new List<string>();
        foreach (var path in endpoints)
        {
            foreach (var name in new[] { "before", "after", "cursor" })
            {
                // Malformed, and well formed (each list's separator) around an id holding a NUL.
                foreach (var value in new[] { "%00", "a%00b", "1_a%00b", "1:a%00b", "1.a%00b", "f.1.a%00b", "1.%00" })
                {
                    var answer = await admin.GetAsync($"{path}?{name}={value}");
                    if ((int)answer.Status >= 500 || ((int)answer.Status >= 400 && !answer.Body.TryGetProperty("code", out _)))
                    {
                        failures.Add($"GET {path}?{name}={value} -> {answer}");
                    }
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task An_activity_or_auction_id_with_a_nul_is_a_bad_request_over_the_websocket()
    {
        await using var ws = await Chat.ConnectAsync(Users.New("ada"));
        var commands = new (string Type, object Data)[]
        {
            ("social.get", new { activity = Nul }), ("social.update", new { activity = Nul, title = "t" }),
            ("social.delete", new { activity = Nul }), ("social.like", new { activity = Nul }), ("social.unlike", new { activity = Nul }),
            ("social.comment", new { activity = Nul, text = "t" }), ("social.comments", new { activity = Nul }),
            ("auction.get", new { auction = Nul }), ("auction.bid", new { auction = Nul, amount = 5 }), ("auction.cancel", new { auction = Nul }),
        };
        foreach (var (type, data) in commands)
        {
            var answer = await ws.RequestAsync(type, data);
            Assert.True(answer.Type() == "error" && answer.ErrorCode() == "bad_request", $"{type}: {answer}");
            Assert.Contains("NUL", answer.GetProperty("data").GetProperty("message").GetString());
        }
        // A control character other than NUL is storable: the id is simply not one the server gave, on either engine.
        Assert.Equal("not_found", (await ws.RequestAsync("social.get", new { activity = "a\u0001b" })).ErrorCode());
        Assert.Equal("not_found", (await ws.RequestAsync("auction.get", new { auction = "a\u0001b" })).ErrorCode());
    }

    [Fact]
    public async Task A_rest_body_takes_the_same_rule_as_the_command()
    {
        var ada = Users.New("ada");
        using var api = Chat.Api(ada);
        await using var ws = await Chat.ConnectAsync(ada);
        var rest = await api.PostAsync("/api/friends", new { user = Nul });
        var command = await ws.RequestAsync("social.friend", new { user = Nul });
        Assert.Equal(HttpStatusCode.BadRequest, rest.Status);
        Assert.Equal("bad_request", rest.Code);
        Assert.Equal("bad_request", command.ErrorCode());
        Assert.Equal(rest.Body.GetProperty("message").GetString(), command.GetProperty("data").GetProperty("message").GetString());
        Assert.Empty((await api.GetAsync("/api/friends")).Body.GetProperty("friends").EnumerateArray()); // nothing changed
    }

    [Fact]
    public async Task Every_command_answers_a_nul_in_any_text_field_without_an_internal_error()
    {
        var commands = Chat.Server.Services.GetServices<CommandRegistration>().Select(r => r.Type).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.Contains("social.get", commands);
        var fields = TextFieldsOfEveryRequest();
        Assert.Contains("activity", fields);
        Assert.Contains("auction", fields);
        await using var ws = await Chat.ConnectAsync(Users.New("ada"));
        var failures = new List<string>();
        foreach (var type in commands)
        {
            // One field at a time, so a field that a command reads first cannot hide another that would fail later.
            var sent = new List<(string Field, int Id)>();
            foreach (var field in fields)
            {
                sent.Add((field, await ws.SendRequestAsync(type, new Dictionary<string, string> { [field] = Nul })));
            }
            foreach (var (field, id) in sent)
            {
                var answer = await ws.NextAsync(f => f.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.Number && i.GetInt32() == id
                    && f.Type() is "reply" or "error");
                if (answer.Type() == "error" && answer.ErrorCode() is "internal" or "unavailable")
                {
                    failures.Add($"{type} {{\"{field}\": NUL}} -> {answer}");
                }
            }
        }
        Assert.False(ws.IsClosed);
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    /// <summary>The JSON names of the text fields of every request type the features declare (their JSON contexts).</summary>
    private static SortedSet<string> TextFieldsOfEveryRequest()
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        var contexts = typeof(HubbubFeature).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(JsonSerializerContext)) && !t.IsAbstract);
        foreach (var context in contexts)
        {
            var instance = context.GetProperty("Default", BindingFlags.Public | BindingFlags.Static)?.GetValue(null);
            foreach (var property in context.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.PropertyType.IsGenericType && p.PropertyType.GetGenericTypeDefinition() == typeof(JsonTypeInfo<>)))
            {
                if (property.GetValue(instance) is JsonTypeInfo { Kind: JsonTypeInfoKind.Object } info && info.Type.Name.EndsWith("Request", StringComparison.Ordinal))
                {
                    names.UnionWith(info.Properties.Where(p => p.PropertyType == typeof(string)).Select(p => p.Name));
                }
            }
        }
        return names;
    }

    private async Task<Ids> CreateOneOfEachAsync()
    {
        var ada = Users.New("ada");
        using var api = Chat.Api(ada);
        using var server = new ServerApi(Chat.Server.BaseAddress, TestServer.ApiKey);
        var activity = await api.PostAsync("/api/activities", new { type = "run", title = "a" });
        Assert.True(activity.Status == HttpStatusCode.Created, activity.ToString());
        var venue = await server.PostAsync("/api/venues", new { name = "V", capacity = 3, timezone = "UTC" });
        Assert.True(venue.Status == HttpStatusCode.Created, venue.ToString());
        var auction = await api.PostAsync("/api/auctions", new
        {
            title = "X", currency = "coins", starting_bid = 10, min_increment = 1,
            ends_at = DateTimeOffset.UtcNow.AddHours(1).ToString("O"),
        });
        Assert.True(auction.Status == HttpStatusCode.Created, auction.ToString());
        var course = await server.PostAsync("/api/courses", new
        {
            title = "C", owner = ada, modules = new[] { new { key = "m", title = "m", tasks = new[] { new { key = "t", title = "t" } } } },
        });
        Assert.True(course.Status == HttpStatusCode.Created, course.ToString());
        return new Ids(ada, Id(activity), Id(venue), Id(auction), Id(course));
    }

    private static string Id(Answer answer) => answer.Body.GetProperty("id").ToString();

    /// <summary>A route with its parameters filled: the id of a row of the route's own kind where there is one, else <c>x</c>.</summary>
    private static string Path(string pattern, Ids ids)
    {
        var kind = pattern.Split('/', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1);
        var id = kind switch
        {
            "activities" => ids.Activity,
            "venues" => ids.Venue,
            "auctions" => ids.Auction,
            "courses" => ids.Course,
            "users" => ids.User,
            _ => "x",
        };
        return Regex.Replace(pattern, @"\{[^}]+\}", m => m.Index == pattern.IndexOf('{') ? id : "x").TrimEnd('/'); // a group's "/" route
    }

    private sealed record Ids(string User, string Activity, string Venue, string Auction, string Course);
}
