using Hubbub.Core.Publishing;
using Hubbub.Features.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Hubbub.Features.Tests.Gamification;

/// <summary>
/// <c>POST /api/events</c> answers once the event committed and the ranked index holds its score, without waiting for its
/// live events (on Redis a round trip per channel, eleven for an event that passed ten users): they go out meanwhile,
/// after the commit, in order and once. Here the publisher holds every gamification event until the test lets it go.
/// </summary>
public sealed class EventAnswerBeforeLiveEventsTests
{
    [Fact]
    public async Task The_answer_carries_the_ranks_and_a_read_sees_the_score_while_the_live_events_are_still_held()
    {
        var gate = new HeldPublisher();
        await using var chat = await ChatServer.StartAsync("sqlite", FeatureServerFixture.FastKit,
            configureServices: s => s.AddSingleton<IChannelPublisher>(sp => gate.Over(sp.GetRequiredService<ChannelPublisher>())));
        using var server = Game.Server(chat);
        var (type, board) = (Game.Fresh("km"), Game.Fresh("km"));
        await server.DefineAsync("/api/rules", new { type, xp = 10 });
        await server.DefineAsync("/api/leaderboards", new { key = board, name = "Km", source = $"{type}:n", @operator = "incr" });
        var (a, b) = (Users.New("a"), Users.New("b"));
        await using var ws = await chat.ConnectAsync(a);
        await ws.SubscribeAsync($"user:{a}");
        gate.Open();
        await server.EventAsync(b, type, new { n = 5 });

        gate.Close();
        var posting = server.EventAsync(a, type, new { n = 9 }); // passes b
        // Bounded: with the answer waiting for its publications this never completes while they are held.
        Assert.Same(posting, await Task.WhenAny(posting, Task.Delay(TimeSpan.FromSeconds(20))));
        var rank = Assert.Single((await posting).GetProperty("leaderboards").EnumerateArray());
        Assert.Equal((1L, 9.0), (rank.Long("rank"), rank.GetProperty("score").GetDouble()));
        var top = (await server.GetAsync($"/api/leaderboards/{board}")).Body.GetProperty("entries");
        Assert.Equal(a, top[0].Str("user")); // the index's apply is awaited before the answer
        Assert.True(gate.Held > 0);
        Assert.Empty(await ws.PendingAfterSyncAsync(f => f.Type() is "xp_gained" or "rank_changed"));

        gate.Open();
        Assert.Equal(10L, (await ws.NextAsync(f => f.Type() == "xp_gained")).GetProperty("data").Long("amount"));
        var changed = (await ws.NextAsync(f => f.Type() == "rank_changed")).GetProperty("data");
        Assert.Equal((board, 1L), (changed.Str("board"), changed.Long("rank")));
        Assert.Empty(await ws.PendingAfterSyncAsync(f => f.Type() is "xp_gained" or "rank_changed")); // once each
    }

    /// <summary>The server's publisher, holding the gamification feature's events while closed (the server's own go through).</summary>
    private sealed class HeldPublisher
    {
        private static readonly HashSet<string> HeldTypes = ["xp_gained", "rank_changed", "overtaken", "notification"];
        private volatile TaskCompletionSource _open = Opened();
        private int _held;

        public int Held => Volatile.Read(ref _held);

        public void Close() => _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Open() => _open.TrySetResult();

        public IChannelPublisher Over(IChannelPublisher inner) => new Wrapper(this, inner);

        private static TaskCompletionSource Opened()
        {
            var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            open.SetResult();
            return open;
        }

        private async ValueTask<long> PublishAsync(IChannelPublisher inner, string channel, string eventType, ReadOnlyMemory<byte> data,
            CancellationToken cancellationToken)
        {
            var open = _open.Task;
            if (HeldTypes.Contains(eventType) && !open.IsCompleted)
            {
                Interlocked.Increment(ref _held);
                await open.WaitAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
            }
            return await inner.PublishAsync(channel, eventType, data, cancellationToken);
        }

        private sealed class Wrapper(HeldPublisher held, IChannelPublisher inner) : IChannelPublisher
        {
            public ValueTask<long> PublishAsync(string channel, string eventType, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
                held.PublishAsync(inner, channel, eventType, data, cancellationToken);

            public ValueTask PublishToUsersAsync(IEnumerable<string> users, string eventType, ReadOnlyMemory<byte> data,
                CancellationToken cancellationToken = default) => inner.PublishToUsersAsync(users, eventType, data, cancellationToken);

            public ValueTask EndSubscriptionsAsync(string user, string channel, string reason, CancellationToken cancellationToken = default) =>
                inner.EndSubscriptionsAsync(user, channel, reason, cancellationToken);
        }
    }
}
