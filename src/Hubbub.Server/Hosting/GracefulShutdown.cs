using Hubbub.Core;
using Hubbub.Protocol;
using Microsoft.Extensions.Options;

namespace Hubbub.Server.Hosting;

/// <summary>
/// On shutdown, before Kestrel stops, closes every WebSocket with 1001 (going away) so clients reconnect
/// elsewhere at once instead of waiting for a timeout, and marks the node not ready.
/// </summary>
public sealed class GracefulShutdown(HubbubEngine engine, IHostApplicationLifetime lifetime, IOptions<HubbubOptions> options) : IHostedService
{
    /// <summary>True once shutdown began; <c>/readyz</c> then answers 503.</summary>
    public bool IsStopping { get; private set; }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // ApplicationStopping fires before the server stops waiting for requests, and a WebSocket is a request
        // that would otherwise hold shutdown for the whole host timeout.
        lifetime.ApplicationStopping.Register(() =>
        {
            IsStopping = true;
            engine.CloseAllAsync(CloseCodes.GoingAway, "server shutting down",
                TimeSpan.FromMilliseconds(options.Value.ShutdownGraceMs)).GetAwaiter().GetResult();
        });
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
