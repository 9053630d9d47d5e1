using System.Diagnostics;
using Hubbub.Bench.Clients;
using Hubbub.Bench.Infra;
using Hubbub.Bench.Measure;
using Hubbub.Bench.Results;

namespace Hubbub.Bench.Scenarios;

/// <summary>
/// <c>echo</c>: one client, one request at a time, the ~150-byte payload there and back (Hubbub <c>ping</c>/<c>pong</c>,
/// the Kestrel baseline's echo, SignalR's <c>Echo</c> invocation). Round-trip p50 and p99 after a warm-up.
/// <c>publish</c> (with <paramref name="publish"/>): the same, but Hubbub's client publishes into a channel it is
/// subscribed to and waits for its own publication (the <c>reply</c> with the offset comes first), measured against
/// the Kestrel baseline's echo; the whole publish path (permission, offset, history, envelope, reply order) is in it.
/// </summary>
/// <param name="publish">Measure Hubbub's publish round trip instead of its ping.</param>
public sealed class EchoScenario(bool publish = false) : IScenario
{
    /// <summary>How long round trips run before the measured ones (at least as many as are measured).</summary>
    public static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan QuickWarmUp = TimeSpan.FromMilliseconds(200);

    /// <summary>Bounds the warm-up whatever the clock says.</summary>
    private const int MaxWarmUpRoundTrips = 200_000;

    /// <summary>Quiet time between the warm-up and the measured round trips.</summary>
    public static readonly TimeSpan WarmUpPause = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Rounds of a full run: at least 7. One round's Hubbub/Kestrel ratio moved 0.77-1.38x between rounds of one run
    /// (the machine's wake-up latency drifts within seconds), so the target, judged on the median of the per-round
    /// ratios, needs more rounds than the run's 3 to say something. Quick runs keep theirs.
    /// </summary>
    public const int FullRounds = 7;

    /// <inheritdoc />
    public int RoundsFor(BenchSettings settings) => settings.Quick ? settings.Rounds : Math.Max(settings.Rounds, FullRounds);

    /// <inheritdoc />
    public string Name => publish ? "publish" : "echo";

    /// <inheritdoc />
    public bool Supports(ServerKind kind) => !publish || kind is ServerKind.Hubbub or ServerKind.Kestrel;

    /// <inheritdoc />
    public string? PendingReason() => null;

    /// <inheritdoc />
    public async Task RunAsync(ScenarioContext context, ServerKind kind, int round, CancellationToken cancellationToken)
    {
        await using var server = await context.StartAsync(kind, cancellationToken);
        var target = Target.For(server);
        await using var client = publish && target is HubbubTarget hubbub
            ? await hubbub.ConnectPublishEchoAsync(cancellationToken)
            : await target.ConnectEchoAsync(cancellationToken);
        context.Status($"{Name} {kind.Title()} round {round}");
        var payload = Payload.Create(0, 0);
        var n = context.Settings.EchoRoundTrips;
        // Warm up for seconds, not for a count: every server (the bare baselines included) kept getting faster over
        // its first seconds of round trips (tiered compilation promotes a method once its call counts settle, and
        // the thread pool adapts), and a fixed count lands each server at a different point of that curve.
        var warmUp = context.Settings.Quick ? QuickWarmUp : WarmUp;
        // Hubbub counts pings against its per-connection rate limit, which stays on: at about a hundred microseconds
        // per round trip the client would outrun it, so every server's round trips are paced under it. After the
        // quiet second the first measured ones run back to back on the refilled burst, the rest one per token; the
        // wait is never inside a measured round trip.
        var pacer = new RatePacer(ServerProcess.BenchMessagesPerSecond * 0.8, ServerProcess.BenchMessagesPerSecond * 0.8);
        var warming = Stopwatch.StartNew();
        for (var i = 0; i < MaxWarmUpRoundTrips && (i < n || warming.Elapsed < warmUp); i++)
        {
            await pacer.WaitAsync(cancellationToken);
            await client.RoundTripAsync(payload, cancellationToken);
        }
        await Task.Delay(context.Settings.Quick ? TimeSpan.FromMilliseconds(100) : WarmUpPause, cancellationToken);
        var samples = new double[n];
        var before = server.Sample();
        var answered = 0;
        for (var i = 0; i < n; i++)
        {
            await pacer.WaitAsync(cancellationToken);
            var start = Stopwatch.GetTimestamp();
            await client.RoundTripAsync(payload, cancellationToken);
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            answered++;
        }
        var after = server.Sample();
        Array.Sort(samples);
        context.Results.Add(Name, kind, round, "p50_us", Stats.Percentile(samples, 50), "µs", Better.Lower);
        context.Results.Add(Name, kind, round, "p99_us", Stats.Percentile(samples, 99), "µs", Better.Lower);
        // The server's CPU time over the measured round trips (pacing waits included, when it should be idle): what
        // one round trip costs it, a figure the machine's wake-up latency moves far less than the round trip's.
        context.Results.Add(Name, kind, round, "server_cpu_us_per_rt", (after.CpuMicroseconds - before.CpuMicroseconds) / (double)n, "µs", Better.Lower);
        context.Results.Add(Name, kind, round, "round_trips", answered, "", Better.Higher);
        if (client is PublishEchoClient published)
        {
            // Counted over warm-up and measured round trips alike: one reply and one own publication each, reply first.
            context.Results.Add(Name, kind, round, "replies", published.Replies, "", Better.Higher);
            context.Results.Add(Name, kind, round, "publications", published.Publications, "", Better.Higher);
            context.Results.Add(Name, kind, round, "reply_after_publication", published.OutOfOrder, "", Better.Lower);
        }
    }
}
