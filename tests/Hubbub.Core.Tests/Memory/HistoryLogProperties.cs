using System.Text;
using CsCheck;
using Hubbub.Core.Memory;
using Hubbub.Core.Seams;
using Hubbub.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace Hubbub.Core.Tests.Memory;

/// <summary>
/// The in-memory history holds publications as values with their bytes in shared slabs (<see cref="HistoryLog"/>).
/// Random runs of appends on several channels (each with its own count bound and age), clock advances, sweeps and
/// reads, checked against a model of what the history promises: what is held reads back byte for byte as it was
/// published; a channel holds the newest of its publications within its count and age, as a run of consecutive
/// offsets; the byte bound only ever lets the oldest publications of the node go first, whatever their channel; and
/// the counted bytes are exactly those of what is held.
/// </summary>
public sealed class HistoryLogProperties
{
    private static readonly string[] Events = ["message", "ünïcödé_event", "x"];
    private static readonly ClientInfo Sender = new("u1", "Ada");

    private sealed record Published(string Channel, string Epoch, long Offset, long Order, string Event, byte[] Data, ClientInfo? From, long ExpiresAtTicks, long Counted);

    /// <summary>One step: append (channel, event, data length, sender or not), advance the clock, sweep, or read a channel.</summary>
    private static readonly Gen<(int Kind, int Channel, int Event, int Length, bool From)> Step =
        Gen.Select(Gen.Int[0, 9], Gen.Int[0, 4], Gen.Int[0, 2], Gen.OneOf(Gen.Int[0, 40], Gen.Int[0, 3_000], Gen.Int[4_000, 9_000]), Gen.Bool);

    [Fact]
    public void Without_byte_pressure_a_channel_holds_exactly_its_newest_publications_within_count_and_age() =>
        Gen.Select(Step.Array[1, 300], Gen.Int[0, 1000]).Sample((steps, seed) => Run(steps, seed, maxBytes: 1L << 40), iter: 200);

    [Fact]
    public void Under_a_small_byte_bound_only_the_oldest_publications_go_and_what_is_held_reads_back_intact() =>
        Gen.Select(Step.Array[1, 300], Gen.Int[0, 1000], Gen.Long[8_000, 60_000]).Sample((steps, seed, max) => Run(steps, seed, max), iter: 300);

    private static void Run((int Kind, int Channel, int Event, int Length, bool From)[] steps, int seed, long maxBytes)
    {
        var clock = new FakeTimeProvider();
        var store = new MemoryHistoryStore(clock, maxBytes);
        var random = new Random(seed);
        // Each channel's count bound and age: a 1-publication channel, a short-lived one, a long one.
        HistoryPolicy PolicyOf(int channel) => channel switch
        {
            0 => new HistoryPolicy(1, TimeSpan.FromSeconds(600)),
            1 => new HistoryPolicy(3, TimeSpan.FromSeconds(5)),
            2 => new HistoryPolicy(200, TimeSpan.FromSeconds(600)),
            3 => new HistoryPolicy(20, TimeSpan.FromSeconds(60)),
            _ => new HistoryPolicy(0, TimeSpan.FromSeconds(60)), // holds nothing
        };
        var all = new List<Published>();
        long order = 0;
        foreach (var (kind, channelIndex, eventIndex, length, from) in steps)
        {
            var channel = $"public:c{channelIndex}";
            switch (kind)
            {
                case <= 5:
                    var text = new string((char)('a' + random.Next(26)), length);
                    var data = Encoding.UTF8.GetBytes($"\"{text}\"");
                    var policy = PolicyOf(channelIndex);
                    var p = store.Append(channel, new PublicationDraft(Events[eventIndex], data, from ? Sender : null), policy, order, _ => { });
                    if (policy.Size > 0)
                    {
                        all.Add(new Published(channel, p.Epoch, p.Offset, order, p.Event, data, p.From, (clock.GetUtcNow() + policy.Ttl).UtcTicks,
                            p.FrameLength + p.Data.Length + MemoryHistoryStore.EntryOverheadBytes));
                    }
                    order++;
                    Assert.True(store.HeldBytes <= maxBytes, $"held {store.HeldBytes} over {maxBytes}");
                    break;
                case 6:
                    clock.Advance(TimeSpan.FromSeconds(random.Next(1, 8)));
                    break;
                case 7:
                    store.Sweep(_ => random.Next(2) == 0);
                    break;
                default:
                    Check(store, clock, all, maxBytes, channel);
                    break;
            }
        }
        Check(store, clock, all, maxBytes, null);
    }

    private static void Check(MemoryHistoryStore store, FakeTimeProvider clock, List<Published> all, long maxBytes, string? only)
    {
        var now = clock.GetUtcNow().UtcTicks;
        // What the count and age bounds alone keep: per channel, its newest within count, not expired.
        var kept = all.GroupBy(p => (p.Channel, p.Epoch))
            .SelectMany(g => g.OrderByDescending(p => p.Offset).Take(SizeOf(g.Key.Channel)).Where(p => p.ExpiresAtTicks > now))
            .ToHashSet();
        var channels = only is null ? all.Select(p => p.Channel).Distinct().ToList() : [only];
        long counted = 0;
        var held = new List<Published>();
        foreach (var channel in channels)
        {
            var read = store.ReadAsync(channel, null, null, int.MaxValue).AsTask().GetAwaiter().GetResult();
            var offsets = read.Publications.Select(p => p.Offset).ToList();
            // A run of consecutive offsets, the newest the channel has held.
            Assert.Equal(Enumerable.Range(0, offsets.Count).Select(i => offsets.Count == 0 ? 0 : offsets[0] + i), offsets);
            foreach (var publication in read.Publications)
            {
                var expected = all.Single(p => p.Channel == channel && p.Epoch == publication.Epoch && p.Offset == publication.Offset);
                Assert.Contains(expected, kept); // nothing held that the count or age let go
                Assert.Equal(expected.Event, publication.Event);
                Assert.Equal(expected.Data, publication.Data.ToArray());
                Assert.Equal(expected.From, publication.From);
                Assert.Equal(expected.Order, publication.PublishedTimestamp);
                Assert.Equal(publication.FrameLength, publication.Frame.Length);
                counted += expected.Counted;
                held.Add(expected);
            }
            if (maxBytes >= 1L << 40)
            {
                // No byte pressure: exactly what the count and age keep.
                Assert.Equal(kept.Where(p => p.Channel == channel && p.Epoch == read.Top.Epoch).Select(p => p.Offset).Order(), offsets);
            }
        }
        if (only is null)
        {
            Assert.Equal(counted, store.HeldBytes);
            // Oldest first across the node: whatever the bounds let go is older than everything still held.
            if (held.Count > 0)
            {
                var oldestHeld = held.Min(p => p.Order);
                Assert.All(kept.Where(p => p.Order > oldestHeld), p => Assert.Contains(p, held));
            }
        }
    }

    private static int SizeOf(string channel) => channel switch
    {
        "public:c0" => 1,
        "public:c1" => 3,
        "public:c2" => 200,
        "public:c3" => 20,
        _ => 0,
    };
}
