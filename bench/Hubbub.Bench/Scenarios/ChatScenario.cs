using System.Diagnostics;
using System.Text;
using Hubbub.Bench.Clients;
using Hubbub.Bench.Infra;
using Hubbub.Bench.Measure;
using Hubbub.Bench.Results;

namespace Hubbub.Bench.Scenarios;

/// <summary>
/// <c>chat</c> (Hubbub only): persisted messages through the messaging feature. One group conversation of
/// <see cref="Participants"/> people, all subscribed to its channel; <see cref="Senders"/> of them send
/// <c>chat.send</c> in a closed loop (each waits for its reply, i.e. the commit) for the step time. Measures
/// committed messages per second, the send round trip, and delivery latency to every participant, on SQLite
/// always and on PostgreSQL when <c>HUBBUB_BENCH_POSTGRES</c> (or <c>HUBBUB_TEST_POSTGRES</c>) names one.
/// </summary>
public sealed class ChatScenario : IScenario
{
    /// <summary>Participants of the bench conversation (the feature's default maximum is 50).</summary>
    public const int Participants = 20;

    /// <summary>Participants sending at once.</summary>
    public const int Senders = 4;

    /// <inheritdoc />
    public string Name => "chat";

    /// <inheritdoc />
    public bool Supports(ServerKind kind) => kind == ServerKind.Hubbub;

    /// <inheritdoc />
    public string? PendingReason() =>
        File.Exists(Path.Combine(Path.GetDirectoryName(RepoPaths.HubbubServerDll)!, "Dapper.dll"))
            ? null
            : "pending the chat feature: this build of Hubbub.Server has no messaging storage";

    /// <summary>The PostgreSQL connection string to measure on, or null.</summary>
    public static string? Postgres() =>
        Environment.GetEnvironmentVariable("HUBBUB_BENCH_POSTGRES") is { Length: > 0 } p ? p
        : Environment.GetEnvironmentVariable("HUBBUB_TEST_POSTGRES") is { Length: > 0 } t ? t : null;

    /// <inheritdoc />
    public async Task RunAsync(ScenarioContext context, ServerKind kind, int round, CancellationToken cancellationToken)
    {
        await RunOnAsync(context, kind, round, "sqlite", new Dictionary<string, string>(), cancellationToken);
        if (Postgres() is { } postgres)
        {
            await RunOnAsync(context, kind, round, "postgres", new Dictionary<string, string> { ["ConnectionStrings__Postgres"] = postgres }, cancellationToken);
        }
        else
        {
            context.Results.Note(Name, "PostgreSQL not measured: set HUBBUB_BENCH_POSTGRES to an Npgsql connection string");
        }
    }

    private async Task RunOnAsync(ScenarioContext context, ServerKind kind, int round, string database, Dictionary<string, string> env,
        CancellationToken cancellationToken)
    {
        // Limits stay on, raised for the closed-loop senders (default 20 sends/s per user).
        env["Messaging__SendsPerSecond"] = "100000";
        env["Messaging__SendBurst"] = "100000";
        await using var server = await context.StartAsync(kind, cancellationToken, env);
        var target = new HubbubTarget(server);
        context.Status($"chat {database} round {round}: conversation of {Participants}");
        await using var creator = await target.ConnectCommandsAsync("c0", cancellationToken);
        var others = string.Join(",", Enumerable.Range(1, Participants - 1).Select(i => $"\"c{i}\""));
        var created = await creator.RequestAsync("chat.create", $"{{\"kind\":\"group\",\"title\":\"bench\",\"participants\":[{others}]}}", cancellationToken);
        var conversation = ConversationId(created);
        var channel = $"conversation:{conversation}";

        var sink = new ChatSink();
        var subscribers = await context.ConnectManyAsync(0, Participants,
            (i, ct) => target.SubscribeAsync($"c{i}", i, channel, null, sink, ct), cancellationToken);
        var senders = new HubbubCommandClient[Senders];
        try
        {
            for (var i = 0; i < Senders; i++)
            {
                senders[i] = await target.ConnectCommandsAsync($"c{i}", cancellationToken);
            }
            // Warm-up: a few sends per sender, not counted.
            long seq = 0;
            foreach (var sender in senders)
            {
                for (var i = 0; i < 20; i++)
                {
                    await SendAsync(sender, conversation, Interlocked.Increment(ref seq), cancellationToken);
                }
            }
            await Task.Delay(500, cancellationToken);

            context.Status($"chat {database} round {round}: {Senders} senders");
            var sendLatency = new LatencyHistogram();
            sink.ResetLatency();
            var deliveredBefore = sink.Delivered;
            long sent = 0;
            var serverBefore = server.Sample().CpuMicroseconds;
            var clock = Stopwatch.StartNew();
            var duration = context.Settings.StepDuration * (context.Settings.Quick ? 1 : 2);
            await Task.WhenAll(senders.Select(sender => Task.Run(async () =>
            {
                while (clock.Elapsed < duration)
                {
                    var start = Stopwatch.GetTimestamp();
                    await SendAsync(sender, conversation, Interlocked.Increment(ref seq), cancellationToken);
                    sendLatency.Record(Payload.MicrosecondsSince(start));
                    Interlocked.Increment(ref sent);
                }
            }, cancellationToken)));
            var elapsed = clock.Elapsed;
            var expected = deliveredBefore + (sent * Participants);
            var drain = Stopwatch.StartNew();
            while (sink.Delivered < expected && drain.Elapsed < TimeSpan.FromSeconds(5))
            {
                await Task.Delay(5, cancellationToken);
            }
            var serverCpu = server.Sample().CpuMicroseconds - serverBefore;
            var r = context.Results;
            r.Add(Name, kind, round, $"{database}_persisted_per_s", sent / elapsed.TotalSeconds, "msgs/s", Better.Higher);
            r.Add(Name, kind, round, $"{database}_send_p50_ms", sendLatency.Percentile(50) / 1000.0, "ms", Better.Lower);
            r.Add(Name, kind, round, $"{database}_send_p99_ms", sendLatency.Percentile(99) / 1000.0, "ms", Better.Lower);
            r.Add(Name, kind, round, $"{database}_delivery_p99_ms", sink.Latency.Percentile(99) / 1000.0, "ms", Better.Lower);
            r.Add(Name, kind, round, $"{database}_lost_deliveries", Math.Max(0, expected - sink.Delivered), "deliveries", Better.Lower);
            r.Add(Name, kind, round, $"{database}_server_cpu_us_per_message", sent == 0 ? double.NaN : (double)serverCpu / sent, "µs", Better.Lower);
        }
        finally
        {
            await server.DisposeAsync();
            foreach (var sender in senders)
            {
                if (sender is not null)
                {
                    await sender.DisposeAsync();
                }
            }
            await ScenarioContext.DisposeAllAsync(subscribers);
        }
    }

    private static async Task SendAsync(HubbubCommandClient sender, string conversation, long seq, CancellationToken cancellationToken)
    {
        var answer = await sender.RequestAsync("chat.send", $"{{\"conversation\":\"{conversation}\",\"text\":\"{ChatSink.Text(seq)}\"}}", cancellationToken);
        if (!HubbubCommandClient.IsReply(answer))
        {
            throw new InvalidOperationException($"chat.send refused: {Encoding.UTF8.GetString(answer)}");
        }
    }

    private static string ConversationId(byte[] reply)
    {
        if (!HubbubCommandClient.IsReply(reply))
        {
            throw new InvalidOperationException($"chat.create refused: {Encoding.UTF8.GetString(reply)}");
        }
        var span = reply.AsSpan();
        var at = span.IndexOf("\"data\":{\"id\":\""u8);
        if (at < 0)
        {
            throw new InvalidOperationException($"no conversation id in {Encoding.UTF8.GetString(reply)}");
        }
        var rest = span[(at + 14)..];
        return Encoding.UTF8.GetString(rest[..rest.IndexOf((byte)'"')]);
    }
}
