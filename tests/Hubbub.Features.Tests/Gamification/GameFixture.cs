using System.Net;
using System.Text.Json;
using Hubbub.Features.Tests.Infrastructure;

namespace Hubbub.Features.Tests.Gamification;

/// <summary>One real server per test class and engine; tests use fresh keys, types and users so they share it.</summary>
public abstract class GameFixture : FeatureServerFixture
{
    /// <inheritdoc />
    protected override Dictionary<string, string?> Settings => FeatureServerFixture.FastKit;
}

public sealed class SqliteGame : GameFixture
{
    public override string Engine => "sqlite";
}

public sealed class PostgresGame : GameFixture
{
    public override string Engine => "postgres";
}

/// <summary>PostgreSQL with Redis (test.sh's), so leaderboards rank through the Redis index.</summary>
public sealed class PostgresRedisGame : GameFixture
{
    public override string Engine => "postgres";

    protected override Dictionary<string, string?> Settings => new(base.Settings)
    {
        ["ConnectionStrings:Redis"] = TestRedis.Endpoint,
        ["Hubbub:Redis:KeyPrefix"] = TestRedis.UniquePrefix(),
    };
}

/// <summary>
/// SQLite with Redis (test.sh's): leaderboards rank through the Redis index beside SQLite's single writer, where whom a
/// pass passed is read from the index with the event's ranks (the leaderboard bench's setup).
/// </summary>
public sealed class SqliteRedisGame : GameFixture
{
    public override string Engine => "sqlite";

    protected override Dictionary<string, string?> Settings => new(base.Settings)
    {
        ["ConnectionStrings:Redis"] = TestRedis.Endpoint,
        ["Hubbub:Redis:KeyPrefix"] = TestRedis.UniquePrefix(),
    };
}

/// <summary>What the gamification tests share: the server's own calls, fresh names, definitions that must be stored.</summary>
internal static class Game
{
    public static string Fresh(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..10]}";

    public static ServerApi Server(ChatServer chat) => new(chat.Server.BaseAddress, TestServer.ApiKey);

    /// <summary>
    /// Starts the server process with a rules file holding <paramref name="rules"/>, which must stop the start: exit code 1
    /// and one line on standard error, which is returned (as an operator reads it; in process the entry point ends).
    /// </summary>
    public static async Task<string> FailedStartAsync(string rules)
    {
        var folder = Directory.CreateTempSubdirectory("hubbub-rules-");
        try
        {
            var path = Path.Combine(folder.FullName, "rules.json");
            await File.WriteAllTextAsync(path, rules);
            var run = await ServerProcess.RunAsync(folder.FullName, new Dictionary<string, string?> { ["Gamification__RulesFile"] = path },
                ["--urls", "http://127.0.0.1:0"]);
            Assert.True(run.ExitCode == 1, $"exit {run.ExitCode}: {run.Error}");
            var line = Assert.Single(run.Error.Trim().Split('\n'));
            Assert.StartsWith($"Hubbub cannot start: Gamification:RulesFile '{path}' ", line, StringComparison.Ordinal);
            return line;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    public static async Task<JsonElement> DefineAsync(this ServerApi server, string path, object body)
    {
        var answer = await server.PostAsync(path, body);
        Assert.True(answer.Status == HttpStatusCode.Created, $"{path}: {answer}");
        return answer.Body;
    }

    /// <summary>Posts one event and fails the test unless it was processed; returns its effects.</summary>
    public static async Task<JsonElement> EventAsync(this ServerApi server, string user, string type, object? data = null, string? id = null,
        string? time = null)
    {
        var answer = await server.PostAsync("/api/events", new { id = id ?? Guid.NewGuid().ToString("N"), user, type, data, time });
        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        return answer.Body.GetProperty("effects");
    }

    public static Task<Answer> PutAsync(this ServerApi server, string path, object body) =>
        server.SendAsync(HttpMethod.Put, path, JsonSerializer.Serialize(body));

    public static long Long(this JsonElement e, string name) => e.GetProperty(name).GetInt64();

    public static string Str(this JsonElement e, string name) => e.GetProperty(name).GetString()!;
}
