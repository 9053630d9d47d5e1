using System.Diagnostics;
using Hubbub.Bench.Clients;
using Hubbub.Bench.Infra;
using Hubbub.Bench.Measure;
using Hubbub.Bench.Results;

namespace Hubbub.Bench.Scenarios;

/// <summary>
/// <c>echo</c>: one client, one request at a time, the ~150-byte payload there and back (Hubbub <c>ping</c>/<c>pong</c>,
/// the Kestrel baseline's echo, SignalR's <c>Echo</c> invocation). Round-trip p50 and p99 after a warm-up.
/// </summary>
public sealed class EchoScenario : IScenario
{
    /// <summary>Quiet time between the warm-up and the measured round trips.</summary>
    public static readonly TimeSpan WarmUpPause = TimeSpan.FromSeconds(1);

    /// <inheritdoc />
    public string Name => "echo";

    /// <inheritdoc />
    public bool Supports(ServerKind kind) => true;

    /// <inheritdoc />
    public string? PendingReason() => null;

    /// <inheritdoc />
    public async Task RunAsync(ScenarioContext context, ServerKind kind, int round, CancellationToken cancellationToken)
    {
        await using var server = await context.StartAsync(kind, cancellationToken);
        var target = Target.For(server);
        await using var client = await target.ConnectEchoAsync(cancellationToken);
        context.Status($"echo {kind.Title()} round {round}");
        var payload = Payload.Create(0, 0);
        var n = context.Settings.EchoRoundTrips;
        // As many warm-up round trips as measured ones, then a quiet second, as the fan-out warm-up does: tiered
        // compilation promotes a method once its call counts settle, and the framework code a bare baseline runs
        // is precompiled while a server's own code starts unoptimized.
        for (var i = 0; i < Math.Max(300, n); i++)
        {
            await client.RoundTripAsync(payload, cancellationToken);
        }
        await Task.Delay(context.Settings.Quick ? TimeSpan.FromMilliseconds(100) : WarmUpPause, cancellationToken);
        var samples = new double[n];
        for (var i = 0; i < n; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await client.RoundTripAsync(payload, cancellationToken);
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        Array.Sort(samples);
        context.Results.Add(Name, kind, round, "p50_us", Stats.Percentile(samples, 50), "µs", Better.Lower);
        context.Results.Add(Name, kind, round, "p99_us", Stats.Percentile(samples, 99), "µs", Better.Lower);
    }
}
