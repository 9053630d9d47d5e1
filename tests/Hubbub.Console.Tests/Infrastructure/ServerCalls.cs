using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Hubbub.Console.Tests.Infrastructure;

/// <summary>
/// A console server that also takes server calls (<c>X-Api-Key</c>), as an app's backend makes them: how the feature-page
/// tests set up venues, rules and coins and act for users the browsers watch.
/// </summary>
public static class ServerCalls
{
    /// <summary>The API key of <see cref="Start"/>'s server.</summary>
    public const string ApiKey = "console-tests-api-key-0123456789";

    /// <summary>A Development console server with <see cref="ApiKey"/>.</summary>
    public static ConsoleServer Start() => new(settings: new() { ["Auth:ApiKey"] = ApiKey });

    /// <summary>
    /// A Development console server with <see cref="ApiKey"/> on a fake clock, its scheduler polling every 50 ms, so a
    /// job falls due as soon as the test moves the clock past it.
    /// </summary>
    public static ConsoleServer Start(Microsoft.Extensions.Time.Testing.FakeTimeProvider clock) =>
        new(settings: new() { ["Auth:ApiKey"] = ApiKey, ["Kit:PollMs"] = "50", ["Kit:RetryBaseMs"] = "20" }, clock: clock);

    /// <summary>Sends <paramref name="json"/> with the API key; fails the test unless the answer is a success.</summary>
    public static async Task<JsonElement> SendAsKeyAsync(this ConsoleServer server, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Api-Key", ApiKey);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }
        using var response = await server.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path} → {(int)response.StatusCode} {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>POST with the API key.</summary>
    public static Task<JsonElement> PostAsKeyAsync(this ConsoleServer server, string path, string json) => server.SendAsKeyAsync(HttpMethod.Post, path, json);

    /// <summary>A Development token of <paramref name="user"/> (role admin when asked).</summary>
    public static async Task<string> DevTokenAsync(this ConsoleServer server, string user, bool admin = false)
    {
        var response = await server.Http.PostAsJsonAsync("/api/dev/token", new { user, name = user, admin });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }
}
