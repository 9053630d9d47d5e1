using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Hubbub.Bench.Infra;

namespace Hubbub.Bench.Clients;

/// <summary>
/// Hubbub's REST API as an app's backend calls it: <c>X-Api-Key</c> (acting for the user a body or <c>?user=</c>
/// names), or a user's bearer token. One pooled handler, so closed loops reuse their connections.
/// </summary>
public sealed class ServerApi(ServerProcess server) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 256 })
    {
        BaseAddress = new Uri(server.BaseUrl),
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>An answer: its status and body.</summary>
    /// <param name="Status">The HTTP status.</param>
    /// <param name="Body">The body as text.</param>
    public readonly record struct Answer(HttpStatusCode Status, string Body)
    {
        /// <summary>Whether the status is 2xx.</summary>
        public bool Ok => (int)Status is >= 200 and < 300;

        /// <summary>The body parsed (the caller disposes it).</summary>
        public JsonDocument Json() => JsonDocument.Parse(Body);

        /// <summary>Throws with the body unless the call succeeded.</summary>
        public Answer EnsureOk(string what) =>
            Ok ? this : throw new InvalidOperationException($"{what}: {(int)Status} {Body}");
    }

    /// <summary>Sends <paramref name="json"/> (or nothing) with the API key, or as <paramref name="asUser"/> when named.</summary>
    public async Task<Answer> SendAsync(HttpMethod method, string path, string? json, CancellationToken cancellationToken, string? asUser = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (asUser is null)
        {
            request.Headers.Add("X-Api-Key", ServerProcess.ApiKey);
        }
        else
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Tokens.For(asUser));
        }
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }
        using var response = await _http.SendAsync(request, cancellationToken);
        return new Answer(response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }

    /// <summary>POST with the API key.</summary>
    public Task<Answer> PostAsync(string path, string json, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, json, cancellationToken);

    /// <summary>GET with the API key, or as <paramref name="asUser"/>.</summary>
    public Task<Answer> GetAsync(string path, CancellationToken cancellationToken, string? asUser = null) =>
        SendAsync(HttpMethod.Get, path, null, cancellationToken, asUser);

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
