using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Hubbub.Server.Tests.Infrastructure;

/// <summary>
/// Two servers that differ only in the door a <c>/ws</c> upgrade takes: <see cref="ConnectionLayer"/> accepts plain
/// upgrades on the connection (<c>Hubbub:ConnectionLevelAccept=true</c>, the default), <see cref="HttpLayer"/> leaves
/// every request to Kestrel's HTTP layer. Kestrel's head timeouts are short, so that tests of them take seconds.
/// </summary>
public sealed class TwoDoors : IDisposable
{
    /// <summary>Kestrel's <c>RequestHeadersTimeout</c> on both servers.</summary>
    public static readonly TimeSpan HeadersTimeout = TimeSpan.FromSeconds(4);

    /// <summary>Kestrel's <c>KeepAliveTimeout</c> on both servers: how long a connection may stay silent.</summary>
    public static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromSeconds(6);

    /// <summary>
    /// How late Kestrel may act on one of its timeouts: it adds its heartbeat interval (1 s) to the deadline and
    /// checks it on the next heartbeat; the rest is room for a busy machine (Kestrel's own door answered 408 3.47 s after
    /// a 4 s headers timeout once in a full run at 3 s). Still below what the regression tests guard against (9.3 s).
    /// </summary>
    public static readonly TimeSpan KestrelLateness = TimeSpan.FromSeconds(4);

    public TestServer ConnectionLayer { get; } = Start(true);

    public TestServer HttpLayer { get; } = Start(false);

    /// <summary>Both servers, named for assertion messages.</summary>
    public IEnumerable<(string Door, TestServer Server)> Both => [("connection layer", ConnectionLayer), ("HTTP layer", HttpLayer)];

    private static TestServer Start(bool connectionLevelAccept) =>
        new(new() { ["Hubbub:ConnectionLevelAccept"] = connectionLevelAccept ? "true" : "false" },
            configureServices: services => services.Configure<KestrelServerOptions>(kestrel =>
            {
                kestrel.Limits.RequestHeadersTimeout = HeadersTimeout;
                kestrel.Limits.KeepAliveTimeout = KeepAliveTimeout;
            }));

    public void Dispose()
    {
        ConnectionLayer.Dispose();
        HttpLayer.Dispose();
    }
}
