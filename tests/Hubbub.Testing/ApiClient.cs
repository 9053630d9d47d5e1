using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Hubbub.Testing;

/// <summary>An HTTP answer: status and parsed JSON body (Undefined when empty).</summary>
public readonly record struct Answer(HttpStatusCode Status, JsonElement Body)
{
    public string Code => Body.GetProperty("code").GetString()!;

    public override string ToString() => $"{(int)Status} {Body}";
}

/// <summary>A REST client for one user (or none), speaking raw JSON so tests can send anything.</summary>
public sealed class ApiClient(Uri baseAddress, string? token) : IDisposable
{
    private readonly HttpClient _http = Create(baseAddress, token);

    public Task<Answer> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public Task<Answer> PostAsync(string path, object body) => SendAsync(HttpMethod.Post, path, JsonSerializer.Serialize(body));

    public Task<Answer> PostRawAsync(string path, string? json) => SendAsync(HttpMethod.Post, path, json);

    public Task<Answer> PatchAsync(string path, object body) => SendAsync(HttpMethod.Patch, path, JsonSerializer.Serialize(body));

    public Task<Answer> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path);

    public async Task<Answer> SendAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return new Answer(response.StatusCode, body);
    }

    /// <summary>Creates a conversation and fails the test unless it was created (201).</summary>
    public async Task<JsonElement> CreateAsync(string[] participants, string? kind = null, string? title = null)
    {
        var answer = await PostAsync("/api/conversations", new { kind, participants, title });
        Assert.True(answer.Status == HttpStatusCode.Created, answer.ToString());
        return answer.Body;
    }

    /// <summary>Sends a message and fails the test unless it was stored (201).</summary>
    public async Task<JsonElement> SendAsync(string conversation, string text, string? clientId = null)
    {
        var answer = await PostAsync($"/api/conversations/{conversation}/messages", new { text, client_id = clientId });
        Assert.True(answer.Status == HttpStatusCode.Created, answer.ToString());
        return answer.Body;
    }

    public void Dispose() => _http.Dispose();

    private static HttpClient Create(Uri baseAddress, string? token)
    {
        var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return http;
    }
}
