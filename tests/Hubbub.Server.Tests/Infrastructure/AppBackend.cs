using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hubbub.Server.Tests.Infrastructure;

/// <summary>
/// A tiny app backend on a real Kestrel socket at 127.0.0.1, answering Hubbub's subscribe, publish and connect proxy
/// calls as a test scripts it, and recording every call it received.
/// </summary>
public sealed class AppBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private AppBackend(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary>http://127.0.0.1:{port}/</summary>
    public Uri BaseAddress { get; }

    /// <summary>Every call: the path, its JSON body and its headers.</summary>
    public ConcurrentQueue<(string Path, JsonElement Body, Dictionary<string, string> Headers)> Calls { get; } = new();

    /// <summary>Calls to <paramref name="path"/> whose body names <paramref name="channel"/>.</summary>
    public int CallsFor(string path, string channel) =>
        Calls.Count(c => c.Path == path && c.Body.TryGetProperty("channel", out var ch) && ch.GetString() == channel);

    /// <summary>Starts a backend whose answers <paramref name="answer"/> writes (path, body, context).</summary>
    public static async Task<AppBackend> StartAsync(Func<string, JsonElement, HttpContext, Task> answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        AppBackend? backend = null;
        app.Run(async context =>
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body);
            var body = document.RootElement.Clone();
            // Copied: Kestrel reuses a request's header dictionary once it is answered.
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            backend!.Calls.Enqueue((context.Request.Path.Value ?? "", body, headers));
            await answer(context.Request.Path.Value ?? "", body, context);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        backend = new AppBackend(app, new Uri(address.TrimEnd('/') + "/"));
        return backend;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
