using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Hubbub.Client.Tests.Infrastructure;

/// <summary>
/// The real Hubbub server, in-process on a real Kestrel port on 127.0.0.1 (Production environment, in-memory seams).
/// Stopping and starting again on the same port gives a fresh process state: every channel gets a new epoch.
/// </summary>
public sealed class ServerHost : IAsyncDisposable
{
    public const string SigningKey = "hubbub-client-tests-signing-key";
    public const string ApiKey = "hubbub-client-tests-api-key";

    private readonly WebApplicationFactory<Program> _factory;
    private static readonly HttpClient Http = new();

    private ServerHost(WebApplicationFactory<Program> factory, int port)
    {
        _factory = factory;
        Port = port;
    }

    public int Port { get; }

    public Uri WsUrl => new($"ws://127.0.0.1:{Port}/ws");

    /// <summary>Starts a server on <paramref name="port"/> (0: any free port) with extra configuration.</summary>
    public static ServerHost Start(int port = 0, IReadOnlyDictionary<string, string>? settings = null)
    {
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseSetting("Auth:SigningKey", SigningKey);
            b.UseSetting("Auth:ApiKey", ApiKey);
            b.UseSetting("Hubbub:ShutdownGraceMs", "500");
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                b.UseSetting(key, value);
            }
        });
        factory.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ServerHost(factory, new Uri(address).Port);
    }

    /// <summary>An HS256 token for <paramref name="user"/>, signed with the test key.</summary>
    public static string Token(string user, string? name = null, TimeSpan? lifetime = null) =>
        TestTokens.For(user, name, lifetime: lifetime, key: SigningKey);

    /// <summary>Publishes through the server API (<c>POST /api/publish</c>); returns the offset.</summary>
    public Task<long> PublishAsync(string channel, object data) => PublishAsync(Port, channel, data);

    /// <summary>Publishes through the server API of the server on <paramref name="port"/>.</summary>
    public static async Task<long> PublishAsync(int port, string channel, object data)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/api/publish")
        {
            Content = JsonContent.Create(new { channel, data }),
        };
        request.Headers.Add("X-Api-Key", ApiKey);
        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("offset").GetInt64();
    }

    /// <summary>The server's services (e.g. to begin shutdown through <c>IHostApplicationLifetime</c>).</summary>
    public IServiceProvider Services => _factory.Services;

    /// <summary>Stops the server (connections get 1001) and frees the port.</summary>
    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();
}
