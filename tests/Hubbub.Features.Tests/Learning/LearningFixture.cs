using System.Net;
using System.Text.Json;
using Hubbub.Features.Tests.Infrastructure;
using Hubbub.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Hubbub.Features.Tests.Learning;

/// <summary>One real server per engine and test class, on a fake clock; tests use fresh course ids and users.</summary>
public abstract class LearningFixture : IAsyncLifetime
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    public abstract string Engine { get; }

    public ChatServer Chat { get; private set; } = null!;

    public FakeTimeProvider Clock { get; } = new(Start);

    public async Task InitializeAsync() => Chat = await ChatServer.StartAsync(Engine, clock: Clock);

    public async Task DisposeAsync() => await Chat.DisposeAsync();

    /// <summary>REST as the app's backend (X-Api-Key).</summary>
    public ServerApi Server() => new(Chat.Server.BaseAddress, TestServer.ApiKey);

    /// <summary>REST with a token of <paramref name="user"/> (roles given or none).</summary>
    public ServerApi As(string user, string? name = null, string[]? roles = null) =>
        new(Chat.Server.BaseAddress, bearer: TestTokens.For(user, name, roles));

    /// <summary>REST with no credentials.</summary>
    public ServerApi Anonymous() => new(Chat.Server.BaseAddress);

    /// <summary>Creates a course through the server API and fails the test unless it was stored; returns its id.</summary>
    public async Task<string> CreateCourseAsync(object modules, string? title = "A course", bool draft = false)
    {
        using var server = Server();
        var id = "c-" + Guid.NewGuid().ToString("N")[..12];
        var created = await server.PostAsync("/api/courses", new { id, title, modules, draft });
        Assert.True(created.Status == HttpStatusCode.Created, created.ToString());
        return id;
    }

    /// <summary>How many domain events of <paramref name="type"/> were raised for <paramref name="user"/>.</summary>
    public Task<long> RaisedAsync(string type, string user) =>
        Chat.Server.Services.GetRequiredService<IDatabase>().ReadAsync(tx => tx.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM kit_domain_events WHERE type = @type AND data LIKE @pattern",
            new { type, pattern = $"%\"user\":\"{user}\"%" }));

    /// <summary>How many completions are stored for a learner in a course.</summary>
    public Task<long> CompletionsAsync(string course, string user) =>
        Chat.Server.Services.GetRequiredService<IDatabase>().ReadAsync(tx => tx.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM learning_completions WHERE course_id = @course AND user_id = @user", new { course, user }));
}

public sealed class SqliteLearning : LearningFixture
{
    public override string Engine => "sqlite";
}

public sealed class PostgresLearning : LearningFixture
{
    public override string Engine => "postgres";
}

/// <summary>Reading answers of the learning API.</summary>
public static class Progress
{
    public static int Percent(this Answer answer) => answer.Body.GetProperty("percent").GetInt32();

    /// <summary>Module key → state.</summary>
    public static Dictionary<string, string> States(this JsonElement progress) =>
        progress.GetProperty("modules").EnumerateArray().ToDictionary(m => m.GetProperty("key").GetString()!, m => m.GetProperty("state").GetString()!);

    /// <summary>Task key → state, over every module.</summary>
    public static Dictionary<string, string> TaskStates(this JsonElement progress) =>
        progress.GetProperty("modules").EnumerateArray().SelectMany(m => m.GetProperty("tasks").EnumerateArray())
            .ToDictionary(t => t.GetProperty("key").GetString()!, t => t.GetProperty("state").GetString()!);

    public static string? Reason(this Answer answer) => answer.Body.TryGetProperty("reason", out var r) ? r.GetString() : null;

    /// <summary>A module definition as the API takes it.</summary>
    public static object Module(string key, string[] tasks, string[]? prerequisites = null, bool sequential = false, double? passMark = null) =>
        new { key, title = "Module " + key, prerequisites, sequential, tasks = tasks.Select(t => new { key = t, title = "Task " + t, xp = 10, pass_mark = passMark }).ToArray() };
}
