using System.Text.Json;
using Hubbub.Core.Publishing;
using Hubbub.Features.Kit;
using Hubbub.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Hubbub.Features.Tests;

/// <summary>
/// A transaction's publications are written as one <c>kit_outbox</c> row (a batch holding them in order): when one of
/// them cannot be published, the other channels' still go out at once, the failed one's channel waits (in its rows, the
/// batch keeping only what it still owes), and after the retry each of its events arrives once, in the order made.
/// </summary>
public sealed class OutboxBatchTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_failed_publication_holds_back_its_channel_alone_and_the_batch_keeps_only_what_it_owes(string engine)
    {
        var ada = Users.New("ada");
        var bob = Users.New("bob");
        var flaky = new FlakyPublisher($"user:{ada}", failures: 1);
        await using var chat = await ChatServer.StartAsync(engine, new() { ["Kit:RetryBaseMs"] = "2000", ["Kit:PollMs"] = "50" },
            configureServices: s => s.AddSingleton<IChannelPublisher>(sp => flaky.Over(sp.GetRequiredService<ChannelPublisher>())));
        var features = chat.Server.Services.GetRequiredService<FeatureDatabase>();
        var database = chat.Server.Services.GetRequiredService<IDatabase>();
        await using var adaWs = await chat.ConnectAsync(ada);
        await adaWs.SubscribeAsync($"user:{ada}");
        await using var bobWs = await chat.ConnectAsync(bob);
        await bobWs.SubscribeAsync($"user:{bob}");
        var int32 = KitJsonContext.Default.Int32;

        // Rows written: a batch (ada 1, bob 1, ada 2), the fan-out's own rows (ada 3, bob 3), a batch (ada 4, bob 4).
        await features.WriteAsync(async tx =>
        {
            await tx.PublishAsync($"user:{ada}", "n", 1, int32);
            await tx.PublishAsync($"user:{bob}", "n", 1, int32);
            await tx.PublishAsync($"user:{ada}", "n", 2, int32);
            await tx.PublishToChannelsAsync([$"user:{ada}", $"user:{bob}"], "n", 3, int32);
            await tx.PublishAsync($"user:{ada}", "n", 4, int32);
            await tx.PublishAsync($"user:{bob}", "n", 4, int32);
        });

        // bob's go out at once; ada's first failed, and what followed it on her channel waits with it.
        foreach (var n in new[] { 1, 3, 4 })
        {
            Assert.Equal(n, (await bobWs.NextAsync(f => f.Type() == "n")).GetProperty("data").GetInt32());
        }
        var left = await database.ReadAsync(async tx => (await tx.QueryAsync<(string Kind, string Channel, string Data)>(
            "SELECT kind, channel, data FROM kit_outbox WHERE channel <> @bob ORDER BY id", new { bob = $"user:{bob}" })).ToList());
        Assert.Equal(3, left.Count);
        Assert.Equal(("batch", ""), (left[0].Kind, left[0].Channel));
        Assert.Equal([($"user:{ada}", 1), ($"user:{ada}", 2)], Entries(left[0].Data)); // bob's entry, published, is gone from it
        Assert.Equal(("publish", $"user:{ada}", "3"), left[1]);
        Assert.Equal("batch", left[2].Kind);
        Assert.Equal([($"user:{ada}", 4)], Entries(left[2].Data));

        // After the retry: ada's four, in order, each once; nothing left, nothing twice.
        for (var n = 1; n <= 4; n++)
        {
            Assert.Equal(n, (await adaWs.NextAsync(f => f.Type() == "n", TimeSpan.FromSeconds(15))).GetProperty("data").GetInt32());
        }
        await DomainEventTests.WaitForAsync(async () => await database.ReadAsync(async tx => await tx.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM kit_outbox")) == 0);
        await Task.Delay(300);
        Assert.Empty(await adaWs.PendingAfterSyncAsync(f => f.Type() == "n"));
        Assert.Empty(await bobWs.PendingAfterSyncAsync(f => f.Type() == "n"));
    }

    private static List<(string Channel, int Data)> Entries(string json)
    {
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray().Select(e => (e.GetProperty("c").GetString()!, e.GetProperty("d").GetInt32()))];
    }

    /// <summary>The real publisher, but publishing on <paramref name="channel"/> fails (the broker away) the first <paramref name="failures"/> times.</summary>
    private sealed class FlakyPublisher(string channel, int failures)
    {
        private int _failuresLeft = failures;

        public IChannelPublisher Over(IChannelPublisher inner) => new Wrapper(this, inner);

        private sealed class Wrapper(FlakyPublisher flaky, IChannelPublisher inner) : IChannelPublisher
        {
            public ValueTask<long> PublishAsync(string channel, string eventType, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
                channel == flaky.Channel && Interlocked.Decrement(ref flaky._failuresLeft) >= 0
                    ? throw new InvalidOperationException("the broker is away (test)")
                    : inner.PublishAsync(channel, eventType, data, cancellationToken);

            public ValueTask PublishToUsersAsync(IEnumerable<string> users, string eventType, ReadOnlyMemory<byte> data,
                CancellationToken cancellationToken = default) => inner.PublishToUsersAsync(users, eventType, data, cancellationToken);

            public ValueTask EndSubscriptionsAsync(string user, string channel, string reason, CancellationToken cancellationToken = default) =>
                inner.EndSubscriptionsAsync(user, channel, reason, cancellationToken);
        }

        private string Channel => channel;
    }
}
