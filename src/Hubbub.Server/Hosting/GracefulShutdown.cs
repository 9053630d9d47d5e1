using Hubbub.Core;
using Hubbub.Protocol;
using Microsoft.Extensions.Options;

namespace Hubbub.Server.Hosting;

/// <summary>
/// On shutdown, before Kestrel stops, closes every WebSocket with 1001 (going away) so clients reconnect
/// elsewhere at once instead of waiting for a timeout, and marks the node not ready.
/// </summary>
/// <remarks>
/// The sweep starts at the first sign of shutdown, <see cref="IHostApplicationLifetime.ApplicationStopping"/> or
/// the host's stopping phase, whichever comes first, and the host's stopping phase waits for it. That phase
/// runs before any hosted service's <c>StopAsync</c>, Kestrel's included, so Kestrel keeps its port open and
/// answers new upgrades with 503 until every connection has closed or <c>ShutdownGraceMs</c> passed. Without
/// the wait, the host could stop Kestrel on another thread while the sweep runs, and a client reconnecting
/// meanwhile would find the port closed instead of a 503.
/// </remarks>
public sealed class GracefulShutdown(HubbubEngine engine, IHostApplicationLifetime lifetime, IOptions<HubbubOptions> options)
    : IHostedLifecycleService
{
    private readonly Lock _gate = new();
    private Task? _sweep;

    /// <summary>True once shutdown began; <c>/readyz</c> and new upgrades then answer 503.</summary>
    public bool IsStopping => Volatile.Read(ref _sweep) is not null;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStopping.Register(() => Sweep());
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StoppingAsync(CancellationToken cancellationToken) => Sweep();

    /// <summary>Starts the 1001 sweep once; every caller gets the same task.</summary>
    private Task Sweep()
    {
        lock (_gate)
        {
            return _sweep ??= Task.Run(() => engine.CloseAllAsync(CloseCodes.GoingAway, "server shutting down",
                TimeSpan.FromMilliseconds(options.Value.ShutdownGraceMs)));
        }
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
