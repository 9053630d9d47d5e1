using System.Net;
using System.Text.Json;
using Hubbub.Features.Tests.Infrastructure;
using Hubbub.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Hubbub.Features.Tests.Venues;

/// <summary>What the venue tests share: calls as the server, as a user or an admin, and reads of the database underneath.</summary>
internal static class VenueHarness
{
    /// <summary>Tokens valid for years, so servers on fake clocks far from today take them whichever clock checks them.</summary>
    public static string Token(string user, string? name = null, string[]? roles = null) =>
        TestTokens.For(user, name, roles, lifetime: TimeSpan.FromDays(3650));

    public static ServerApi AsServer(TestServer server) => new(server.BaseAddress, TestServer.ApiKey);

    public static ServerApi AsUser(TestServer server, string user, string? name = null, string[]? roles = null) =>
        new(server.BaseAddress, bearer: Token(user, name, roles));

    public static Task<WsClient> ConnectAsync(TestServer server, string user, string? name = null) =>
        WsClient.ConnectAsync(server.WebSocketUri(Token(user, name)));

    /// <summary>Creates a venue as the server and fails the test unless it was created.</summary>
    public static async Task<string> CreateVenueAsync(TestServer server, int capacity = 10, string timezone = "UTC", string[]? locations = null,
        string? whenFull = null)
    {
        using var api = AsServer(server);
        var created = await api.PostAsync("/api/venues", new { name = "Gym " + Guid.NewGuid().ToString("N")[..6], capacity, timezone, locations, when_full = whenFull });
        Assert.True(created.Status == HttpStatusCode.Created, created.ToString());
        return created.Body.GetProperty("id").GetString()!;
    }

    public static Task<Answer> CheckInAsync(ServerApi api, string venue, string? user = null, string? location = null) =>
        api.PostAsync($"/api/venues/{venue}/checkins", new { user, location });

    public static Task<Answer> CheckOutAsync(ServerApi api, string venue, string? user = null) =>
        api.PostAsync($"/api/venues/{venue}/checkout", new { user });

    public static async Task<JsonElement> StatsAsync(TestServer server, string venue)
    {
        using var api = AsServer(server);
        var answer = await api.GetAsync($"/api/venues/{venue}");
        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        return answer.Body.GetProperty("stats");
    }

    public static string? Reason(this Answer answer) => answer.Body.TryGetProperty("reason", out var r) ? r.GetString() : null;

    public static Task<List<VisitRecord>> VisitsAsync(TestServer server, string venue) =>
        server.Services.GetRequiredService<IDatabase>().ReadAsync(async tx => (await tx.QueryAsync<VisitRecord>(
            """
            SELECT id AS Id, user_id AS UserId, checked_in_ms AS CheckedInMs, checked_out_ms AS CheckedOutMs, duration_s AS DurationS, auto AS Auto
            FROM venue_visits WHERE venue_id = @venue ORDER BY id
            """, new { venue })).ToList());

    public static Task<long> CountDomainEventsAsync(TestServer server, string type, string venue) =>
        server.Services.GetRequiredService<IDatabase>().ReadAsync(async tx => await tx.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM kit_domain_events WHERE type = @type AND data LIKE @like", new { type, like = $"%\"venue\":\"{venue}\"%" }));

    public static Task<long> CountDueJobsAsync(TestServer server, long nowMs) =>
        server.Services.GetRequiredService<IDatabase>().ReadAsync(async tx => await tx.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM kit_jobs WHERE kind = 'venues.auto_checkout' AND due_ms <= @nowMs", new { nowMs }));
}

/// <summary>A visit as stored.</summary>
public sealed class VisitRecord
{
    public long Id { get; set; }
    public string UserId { get; set; } = "";
    public long CheckedInMs { get; set; }
    public long? CheckedOutMs { get; set; }
    public long? DurationS { get; set; }
    public long Auto { get; set; }
}
