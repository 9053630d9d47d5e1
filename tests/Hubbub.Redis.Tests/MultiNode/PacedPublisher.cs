using System.Diagnostics;
using System.Text.Json;

namespace Hubbub.Redis.Tests.MultiNode;

/// <summary>
/// A well-behaved publisher: sends <c>publish</c> requests with ids at a steady rate without waiting for their
/// answers (as a client app does), each with <c>data {n}</c> numbered from 1, and matches the answers to them.
/// </summary>
public sealed class PacedPublisher : IAsyncDisposable
{
    private readonly WsClient _client;
    private readonly string _channel;
    private readonly TimeSpan _interval;
    private readonly Lock _gate = new();
    private readonly List<(int Id, int N, long Sent)> _sent = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private PacedPublisher(WsClient client, string channel, int perSecond)
    {
        _client = client;
        _channel = channel;
        _interval = TimeSpan.FromSeconds(1.0 / perSecond);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Starts publishing on <paramref name="channel"/> through <paramref name="client"/>.</summary>
    public static PacedPublisher Start(WsClient client, string channel, int perSecond) => new(client, channel, perSecond);

    /// <summary>Every publish sent so far, with its answer when it came.</summary>
    public IReadOnlyList<PublishOutcome> Outcomes
    {
        get
        {
            List<(int Id, int N, long Sent)> sent;
            lock (_gate)
            {
                sent = [.. _sent];
            }
            var answers = new Dictionary<int, (JsonElement Frame, long Arrived)>();
            foreach (var (frame, arrived) in _client.TimedFrames)
            {
                if (frame.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number)
                {
                    answers.TryAdd(id.GetInt32(), (frame, arrived));
                }
            }
            return sent.Select(s => answers.TryGetValue(s.Id, out var a)
                ? new PublishOutcome(s.N, s.Sent, a.Frame, a.Arrived)
                : new PublishOutcome(s.N, s.Sent, null, 0)).ToList();
        }
    }

    /// <summary>Waits (bounded) until at least <paramref name="count"/> publishes were acknowledged with an offset.</summary>
    public Task WaitForAcknowledgedAsync(int count, TimeSpan within) =>
        _client.WaitUntilAsync(() => Outcomes.Count(o => o.Offset is not null) >= count, $"{count} acknowledged publishes", within);

    /// <summary>Waits (bounded) until at least <paramref name="count"/> publishes were sent, answered or not.</summary>
    public async Task WaitForSentAsync(int count, TimeSpan within)
    {
        using var deadline = new CancellationTokenSource(within);
        while (Outcomes.Count < count)
        {
            // The publisher sends every 20 ms: polling at that pace waits for nothing but its own sends.
            await Task.Delay(_interval, deadline.Token);
        }
    }

    /// <summary>
    /// Stops sending, then waits (bounded) until every publish sent has its answer or the socket closed; returns
    /// them all (unanswered ones without an answer).
    /// </summary>
    public async Task<IReadOnlyList<PublishOutcome>> StopAndCollectAsync(TimeSpan within)
    {
        await _stop.CancelAsync();
        await _loop;
        try
        {
            await _client.WaitUntilAsync(() => Outcomes.All(o => o.Answer is not null), "an answer to every publish", within);
        }
        catch (InvalidOperationException) when (_client.Closed)
        {
            // The test asserts on what was left unanswered.
        }
        return Outcomes;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        var next = Stopwatch.GetTimestamp();
        var step = (long)(_interval.TotalSeconds * Stopwatch.Frequency);
        var n = 0;
        while (!_stop.IsCancellationRequested && !_client.Closed)
        {
            n++;
            var sent = Stopwatch.GetTimestamp();
            int id;
            try
            {
                id = await _client.SendRequestAsync("publish", new { channel = _channel, data = new { n } });
            }
            catch (Exception) when (_client.Closed)
            {
                return;
            }
            lock (_gate)
            {
                _sent.Add((id, n, sent));
            }
            // Late (the test machine stalled this loop): go on from now instead of catching up in a burst, which
            // would be the client's own flood.
            next = Math.Max(next + step, Stopwatch.GetTimestamp());
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, _stop.Token); // the pace of a client app, not a wait for the server
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}

/// <summary>One publish: its number, when it was sent, and its answer (reply or error) and when that arrived.</summary>
public sealed record PublishOutcome(int N, long Sent, JsonElement? Answer, long Answered)
{
    /// <summary>The offset of an acknowledged publish, else null.</summary>
    public long? Offset => Answer is { } a && WsClient.Type(a) == "reply" ? a.GetProperty("data").GetProperty("offset").GetInt64() : null;

    /// <summary>The error code of a refused publish, else null.</summary>
    public string? ErrorCode => Answer is { } a && WsClient.Type(a) == "error" ? a.GetProperty("data").GetProperty("code").GetString() : null;

    /// <summary>How long the answer took.</summary>
    public TimeSpan Latency => Answer is null ? TimeSpan.MaxValue : Stopwatch.GetElapsedTime(Sent, Answered);
}
