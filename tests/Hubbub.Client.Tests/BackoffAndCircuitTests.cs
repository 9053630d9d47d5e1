using Hubbub.Client.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Hubbub.Client.Tests;

/// <summary>Reconnect timing on a fake clock: attempts happen only when the clock reaches each jittered delay.</summary>
public sealed class BackoffAndCircuitTests
{
    [Fact]
    public async Task Failed_attempts_back_off_exponentially_with_jitter_on_the_clock_and_the_circuit_opens_then_closes()
    {
        var time = new FakeTimeProvider();
        var port = LoopbackPort.Free(); // nothing listens: every attempt is refused at once
        await using var client = new HubbubClient(new HubbubClientOptions
        {
            Url = new Uri($"ws://127.0.0.1:{port}/ws"),
            Token = ServerHost.Token("42"),
            ReconnectBaseDelay = TimeSpan.FromSeconds(1),
            ReconnectMaxDelay = TimeSpan.FromSeconds(3),
            CircuitBreakerThreshold = 4,
            CircuitBreakerCooldown = TimeSpan.FromMinutes(1),
            Random = new FixedRandom(0.5),
            TimeProvider = time,
        });
        var log = new StateLog(client);
        var connect = client.ConnectAsync();

        // Ceilings 1 s, 2 s, 3 s (capped), each halved by the jitter.
        TimeSpan[] expected = [TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(1500)];
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(ConnectionState.Connecting, (await log.NextAsync()).State);
            var reconnecting = await log.NextAsync();
            Assert.Equal(ConnectionState.Reconnecting, reconnecting.State);
            Assert.Equal(expected[i], reconnecting.Delay);
            Assert.Equal(i + 1, reconnecting.Attempt);

            time.Advance(expected[i] - TimeSpan.FromMilliseconds(1));
            Assert.False(log.HasPending, "no attempt before the delay is over");
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(ConnectionState.Connecting, (await log.NextAsync()).State);
        var open = await log.NextAsync();
        Assert.Equal(ConnectionState.CircuitOpen, open.State);
        Assert.Equal(TimeSpan.FromMinutes(1), open.Delay);
        Assert.Equal(4, open.Attempt);

        // The server comes up during the cool-down; the trial attempt after it succeeds and resets the count.
        await using var server = ServerHost.Start(port);
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.False(log.HasPending, "the open circuit waits the whole cool-down");
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ConnectionState.Connecting, (await log.NextAsync()).State);
        var connected = await log.NextAsync();
        Assert.Equal(ConnectionState.Connected, connected.State);
        Assert.Equal(0, connected.Attempt);
        await connect;
        Assert.Equal("42", client.Welcome!.User);
    }

    [Fact]
    public async Task A_refused_token_stops_for_good_with_a_clear_reason()
    {
        await using var server = ServerHost.Start();
        await using var client = new HubbubClient(new HubbubClientOptions { Url = server.WsUrl, Token = "not-a-jwt" });
        var log = new StateLog(client);
        var error = await Assert.ThrowsAsync<HubbubConnectionException>(() => client.ConnectAsync());
        Assert.Contains("401", error.Message);
        var stopped = await log.NextAsync(ConnectionState.Stopped);
        Assert.Contains("401", stopped.Reason);
        Assert.DoesNotContain(log.All, e => e.State == ConnectionState.Reconnecting);
        await Assert.ThrowsAsync<HubbubConnectionException>(() => client.PublishAsync("public:x", 1));
    }
}
