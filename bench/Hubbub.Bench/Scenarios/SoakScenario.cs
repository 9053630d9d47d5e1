using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using Hubbub.Bench.Clients;
using Hubbub.Bench.Infra;
using Hubbub.Bench.Results;

namespace Hubbub.Bench.Scenarios;

/// <summary>
/// <c>soak</c> (Hubbub only, named only): <see cref="BenchSettings.SoakClients"/> clients churn connections for
/// <see cref="BenchSettings.SoakDuration"/>: each connects, subscribes to its room's channel, publishes a few
/// messages and waits for them to come back, stays a moment, then leaves (every other time with the close handshake,
/// otherwise by dropping the socket), and starts again. The server's RSS, open file descriptors and threads are
/// sampled throughout and drawn as an SVG; memory is judged flat by the slope of RSS over the last two thirds.
/// </summary>
public sealed class SoakScenario : IScenario
{
    /// <summary>Messages each client publishes per connection.</summary>
    public const int MessagesPerCycle = 3;

    /// <summary>Clients per room channel (each subscribe and leave announces presence to the room).</summary>
    public const int ClientsPerRoom = 10;

    /// <summary>RSS counts as flat when its least-squares slope over the last two thirds is at most this.</summary>
    public const double FlatRssSlopeKiBPerMinute = 100;

    /// <summary>Handles count as flat when the server's open files after the churn equal those before it, give or take this.</summary>
    public const int FlatOpenFilesTolerance = 5;

    /// <inheritdoc />
    public string Name => "soak";

    /// <inheritdoc />
    public bool Supports(ServerKind kind) => kind == ServerKind.Hubbub;

    /// <inheritdoc />
    public string? PendingReason() => null;

    /// <inheritdoc />
    public int RoundsFor(BenchSettings settings) => 1;

    /// <inheritdoc />
    public async Task RunAsync(ScenarioContext context, ServerKind kind, int round, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        var clients = settings.SoakClients;
        var duration = settings.SoakDuration;
        var interval = TimeSpan.FromSeconds(Math.Max(0.25, duration.TotalSeconds / 180));
        var (holdMin, holdMax) = settings.Quick ? (50, 300) : (1_000, 4_000);
        var rooms = Math.Max(1, clients / ClientsPerRoom);
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + (settings.Quick ? "-quick" : "");

        NativeMethods.RaiseOpenFileLimit((ulong)clients * 4 + 4096);
        await using var server = await context.StartAsync(kind, cancellationToken);
        var target = new HubbubTarget(server);
        var sink = new SoakSink(clients);
        var counters = new Counters();
        // Warm-up: every client once through its cycle, so what the server opens once (pool threads, lazily opened
        // files, compiled code) is in the "before" reading, not counted as growth.
        context.Status($"soak: warm-up, {clients} clients once");
        using (var once = new CancellationTokenSource())
        {
            await once.CancelAsync();
            await Task.WhenAll(Enumerable.Range(0, clients).Select(i => Task.Run(() =>
                ClientLoopAsync(i, $"public:soak-{i % rooms}", target, sink, new Counters(), (0, 1), once.Token, cancellationToken, onlyOnce: true),
                CancellationToken.None)));
        }
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        var before = ProcCounts.Read(server.Pid);
        var rssBefore = server.Sample().RssBytes;

        var samples = new List<Sample>();
        var clock = Stopwatch.StartNew();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(duration);
        var sampler = SampleAsync(server, counters, samples, clock, interval, stop.Token);
        context.Status($"soak: {clients} clients churning for {duration.TotalMinutes:0.#} min");
        var workers = Enumerable.Range(0, clients).Select(i => Task.Run(() =>
            ClientLoopAsync(i, $"public:soak-{i % rooms}", target, sink, counters, (holdMin, holdMax), stop.Token, cancellationToken), CancellationToken.None));
        await Task.WhenAll(workers);
        await sampler;
        var churned = clock.Elapsed;

        // Every client has left. The server may still be finishing closes (a loaded machine takes seconds); a leak
        // never settles, so wait (bounded) for its open files to come back, and report how long that took.
        var settle = Stopwatch.StartNew();
        var settleLimit = TimeSpan.FromSeconds(settings.Quick ? 10 : 60);
        var after = ProcCounts.Read(server.Pid);
        while (settle.Elapsed < settleLimit && after.OpenFiles > before.OpenFiles + FlatOpenFilesTolerance)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            after = ProcCounts.Read(server.Pid);
        }
        var settledIn = settle.Elapsed;
        var rssAfter = server.Sample().RssBytes;
        samples.Add(Sample.Take(server, counters, clock));

        var judgedFrom = duration.TotalMinutes / 3;
        var tail = samples.Where(s => s.Minute >= judgedFrom && s.Minute <= churned.TotalMinutes).ToList();
        var rssSlope = Slope(tail, s => s.RssBytes / 1024.0);
        var filesSlope = Slope(tail, s => s.OpenFiles);
        var flat = rssSlope <= FlatRssSlopeKiBPerMinute && Math.Abs(after.OpenFiles - before.OpenFiles) <= FlatOpenFilesTolerance;

        var svg = Path.Combine(settings.OutputFolder, $"soak-{stamp}.svg");
        var csv = Path.Combine(settings.OutputFolder, $"soak-{stamp}.csv");
        Directory.CreateDirectory(settings.OutputFolder);
        await File.WriteAllTextAsync(svg, SvgChart.Render(
            $"Hubbub soak: {clients:#,0} clients churning for {duration.TotalMinutes:0.#} min, {counters.Cycles:#,0} connections",
            [.. samples.Select(s => s.Minute)],
            [
                new("server RSS", "MiB", [.. samples.Select(s => s.RssBytes / 1024.0 / 1024.0)]),
                new("server open file descriptors", "count", [.. samples.Select(s => (double)s.OpenFiles)]),
                new("server threads", "count", [.. samples.Select(s => (double)s.Threads)]),
                new("bench connections open", "count", [.. samples.Select(s => (double)s.Open)]),
            ],
            judgedFrom, $"flat judged from here: RSS slope {rssSlope:0.#} KiB/min"), cancellationToken);
        await File.WriteAllLinesAsync(csv,
            ["minute,rss_mib,open_files,threads,bench_open,cycles,server_cpu_pct",
             .. samples.Select(s => string.Create(CultureInfo.InvariantCulture,
                 $"{s.Minute:0.###},{s.RssBytes / 1024.0 / 1024.0:0.00},{s.OpenFiles},{s.Threads},{s.Open},{s.Cycles},{s.CpuPercent:0.0}"))],
            cancellationToken);

        var r = context.Results;
        r.Add(Name, kind, round, "cycles", counters.Cycles, "connections", Better.Higher);
        r.Add(Name, kind, round, "connects_per_s", counters.Cycles / churned.TotalSeconds, "/s", Better.Higher);
        r.Add(Name, kind, round, "published", counters.Published, "messages", Better.Higher);
        r.Add(Name, kind, round, "own_missing", counters.Missing, "messages", Better.Lower);
        r.Add(Name, kind, round, "own_duplicates", sink.Extra, "messages", Better.Lower);
        r.Add(Name, kind, round, "error_frames", sink.Errors, "frames", Better.Lower);
        r.Add(Name, kind, round, "failed_cycles", counters.Failures, "cycles", Better.Lower);
        r.Add(Name, kind, round, "rss_mib_before", rssBefore / 1024.0 / 1024.0, "MiB", Better.Lower);
        r.Add(Name, kind, round, "rss_mib_at_judging_start", (tail.Count > 0 ? tail[0].RssBytes : rssAfter) / 1024.0 / 1024.0, "MiB", Better.Lower);
        r.Add(Name, kind, round, "rss_mib_max", samples.Max(s => s.RssBytes) / 1024.0 / 1024.0, "MiB", Better.Lower);
        r.Add(Name, kind, round, "rss_mib_after", rssAfter / 1024.0 / 1024.0, "MiB", Better.Lower);
        r.Add(Name, kind, round, "rss_slope_kib_per_min", rssSlope, "KiB/min", Better.Lower);
        r.Add(Name, kind, round, "open_files_before", before.OpenFiles, "fds", Better.Lower);
        r.Add(Name, kind, round, "open_files_after", after.OpenFiles, "fds", Better.Lower);
        r.Add(Name, kind, round, "open_files_settled_s", settledIn.TotalSeconds, "s", Better.Lower);
        r.Add(Name, kind, round, "open_files_max", samples.Max(s => s.OpenFiles), "fds", Better.Lower);
        r.Add(Name, kind, round, "open_files_slope_per_min", filesSlope, "fds/min", Better.Lower);
        r.Add(Name, kind, round, "threads_before", before.Threads, "threads", Better.Lower);
        r.Add(Name, kind, round, "threads_after", after.Threads, "threads", Better.Lower);
        r.Add(Name, kind, round, "threads_max", samples.Max(s => s.Threads), "threads", Better.Lower);
        r.Add(Name, kind, round, "flat", flat ? 1 : 0, "1 = flat", Better.Higher);
        r.Note(Name, $"graph {Path.GetFileName(svg)}, samples {Path.GetFileName(csv)}; flat = RSS slope over the last two thirds ≤ "
            + $"{FlatRssSlopeKiBPerMinute} KiB/min and open files within {settleLimit.TotalSeconds:0} s after the churn = before ± {FlatOpenFilesTolerance}"
            + (counters.FirstFailure is { } f ? $"; first failure: {f}" : ""));
    }

    private static async Task ClientLoopAsync(int index, string channel, HubbubTarget target, SoakSink sink, Counters counters,
        (int Min, int Max) hold, CancellationToken stop, CancellationToken cancellationToken, bool onlyOnce = false)
    {
        var user = $"s{index}";
        var heads = Enumerable.Range(1, MessagesPerCycle)
            .Select(k => Encoding.UTF8.GetBytes("{\"type\":\"publish\",\"id\":" + (k + 1) + ",\"data\":{\"channel\":\"" + channel + "\",\"data\":" + SoakSink.Data(index, k) + "}}"))
            .ToArray();
        for (var cycle = 0; onlyOnce ? cycle == 0 : !stop.IsCancellationRequested; cycle++)
        {
            WsClient? client = null;
            var phase = "connect";
            try
            {
                var back = sink.Expect(index, MessagesPerCycle);
                client = (WsClient)await target.SubscribeAsync(user, index, channel, null, sink, cancellationToken);
                Interlocked.Increment(ref counters.Open);
                Interlocked.Increment(ref counters.Cycles);
                phase = "publish";
                foreach (var frame in heads)
                {
                    await client.SendAsync(frame, cancellationToken);
                }
                Interlocked.Add(ref counters.Published, MessagesPerCycle);
                try
                {
                    await back.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
                }
                catch (TimeoutException)
                {
                    Interlocked.Add(ref counters.Missing, MessagesPerCycle - sink.Own(index));
                }
                try
                {
                    await Task.Delay(Random.Shared.Next(hold.Min, hold.Max), stop);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    // The soak ends: leave as usual.
                }
                phase = cycle % 2 == 0 ? "close" : "abort";
                if (cycle % 2 == 0)
                {
                    using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    bound.CancelAfter(TimeSpan.FromSeconds(10));
                    await client.CloseAsync(bound.Token);
                }
                else
                {
                    client.Abort();
                }
            }
            catch (Exception ex) when (ex is IOException or WebSocketException or TimeoutException or InvalidOperationException
                or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref counters.Failures);
                Interlocked.CompareExchange(ref counters.FirstFailure, $"{phase}: {ex.GetType().Name}: {ex.Message}", null);
            }
            finally
            {
                if (client is not null)
                {
                    await client.DisposeAsync();
                    Interlocked.Decrement(ref counters.Open);
                }
            }
        }
    }

    private static async Task SampleAsync(ServerProcess server, Counters counters, List<Sample> samples, Stopwatch clock, TimeSpan interval,
        CancellationToken stop)
    {
        using var timer = new PeriodicTimer(interval);
        samples.Add(Sample.Take(server, counters, clock));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                samples.Add(Sample.Take(server, counters, clock, samples[^1]));
            }
        }
        catch (OperationCanceledException)
        {
            // The soak's end.
        }
    }

    /// <summary>Least-squares slope of <paramref name="value"/> per minute; 0 with fewer than two samples.</summary>
    internal static double Slope(IReadOnlyList<Sample> samples, Func<Sample, double> value)
    {
        if (samples.Count < 2)
        {
            return 0;
        }
        var mx = samples.Average(s => s.Minute);
        var my = samples.Average(value);
        var num = samples.Sum(s => (s.Minute - mx) * (value(s) - my));
        var den = samples.Sum(s => (s.Minute - mx) * (s.Minute - mx));
        return den == 0 ? 0 : num / den;
    }

    internal sealed class Counters
    {
        public long Cycles;
        public long Published;
        public long Missing;
        public long Failures;
        public int Open;
        public string? FirstFailure;
    }

    /// <summary>One reading of the server during the soak.</summary>
    internal sealed record Sample(double Minute, long RssBytes, int OpenFiles, int Threads, int Open, long Cycles, long CpuMicroseconds, double CpuPercent)
    {
        public static Sample Take(ServerProcess server, Counters counters, Stopwatch clock, Sample? previous = null)
        {
            var minute = clock.Elapsed.TotalMinutes;
            var proc = server.Sample();
            var counts = ProcCounts.Read(server.Pid);
            var cpu = previous is null || minute <= previous.Minute ? 0
                : (proc.CpuMicroseconds - previous.CpuMicroseconds) / ((minute - previous.Minute) * 60e6) * 100;
            return new Sample(minute, proc.RssBytes, counts.OpenFiles, counts.Threads, Volatile.Read(ref counters.Open),
                Interlocked.Read(ref counters.Cycles), proc.CpuMicroseconds, cpu);
        }
    }
}
