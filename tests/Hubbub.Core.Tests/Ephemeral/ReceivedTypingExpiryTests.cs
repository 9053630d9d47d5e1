using System.Text.Json;
using Hubbub.Core.Ephemeral;
using Hubbub.Core.Seams;
using Hubbub.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace Hubbub.Core.Tests.Ephemeral;

/// <summary>
/// The receiving node's side of typing: the typist's node and this one both run a clock, and the subscribers get
/// exactly one <c>is_typing:false</c> whichever speaks first, or when the typist's node never does (it died).
/// </summary>
public sealed class ReceivedTypingExpiryTests : IDisposable
{
    private static readonly ClientInfo Ada = new("42", "Ada");
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    private readonly FakeTimeProvider _clock = new();
    private readonly RecordingSink _delivered = new();
    private readonly ReceivedTypingExpiry _expiry;

    public ReceivedTypingExpiryTests() => _expiry = new ReceivedTypingExpiry(_delivered, _clock, Timeout);

    public void Dispose() => _expiry.Dispose();

    private void Receive(bool isTyping, string channel = "public:a") =>
        _expiry.OnEphemeral(channel, TypingTracker.Event(channel, Ada, isTyping));

    [Fact]
    public void A_typing_whose_sender_never_stops_it_ends_locally_the_margin_after_the_timeout()
    {
        Receive(true);
        _clock.Advance(Timeout + ReceivedTypingExpiry.Margin - TimeSpan.FromMilliseconds(1));
        Assert.Equal([true], _delivered.Typing());

        _clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal([true, false], _delivered.Typing());
        var stop = _delivered.Events[1].Event;
        Assert.Equal("42", stop.ExcludeUser); // the typist's own tabs still hear nothing
        var data = JsonDocument.Parse(stop.Frame).RootElement.GetProperty("data");
        Assert.Equal(("42", "Ada", false), (data.GetProperty("user").GetString(), data.GetProperty("name").GetString(), data.GetProperty("is_typing").GetBoolean()));
        Assert.Equal(0, _expiry.ShownCount);
    }

    [Fact]
    public void The_senders_stop_passes_once_and_the_local_expiry_then_stays_silent()
    {
        Receive(true);
        _clock.Advance(Timeout);
        Receive(false);
        _clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal([true, false], _delivered.Typing());
    }

    [Fact]
    public void A_stop_arriving_after_the_local_expiry_is_dropped()
    {
        Receive(true);
        _clock.Advance(Timeout + ReceivedTypingExpiry.Margin);
        Receive(false);

        Assert.Equal([true, false], _delivered.Typing());
    }

    [Fact]
    public void Each_true_rearms_the_expiry()
    {
        Receive(true);
        _clock.Advance(TimeSpan.FromSeconds(3));
        Receive(true);
        _clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal([true, true], _delivered.Typing());

        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal([true, true, false], _delivered.Typing());
    }

    [Fact]
    public void A_stop_for_a_typing_never_received_passes_as_before_and_the_ended_one_is_forgotten_after_a_period()
    {
        Receive(false);
        Receive(true);
        _clock.Advance(Timeout + ReceivedTypingExpiry.Margin); // ended here
        _clock.Advance(Timeout + ReceivedTypingExpiry.Margin); // forgotten
        Receive(false);

        Assert.Equal([false, true, false, false], _delivered.Typing());
    }

    [Fact]
    public void Channels_are_apart_and_other_events_pass_untouched()
    {
        Receive(true, "public:a");
        Receive(true, "public:b");
        Receive(false, "public:b");
        var cursor = new EphemeralEvent("{}"u8.ToArray(), "42", null);
        _expiry.OnEphemeral("public:b", cursor);
        _clock.Advance(Timeout + ReceivedTypingExpiry.Margin);

        Assert.Equal([("public:a", true), ("public:b", true), ("public:b", false), ("public:a", false)],
            _delivered.Events.Where(e => e.Event.Typing is not null).Select(e => (e.Channel, e.Event.Typing!.IsTyping)));
        Assert.Contains(_delivered.Events, e => ReferenceEquals(e.Event, cursor));
    }

    private sealed class RecordingSink : IBrokerSink
    {
        public List<(string Channel, EphemeralEvent Event)> Events { get; } = [];

        public bool[] Typing()
        {
            lock (Events)
            {
                return [.. Events.Where(e => e.Event.Typing is not null).Select(e => e.Event.Typing!.IsTyping)];
            }
        }

        public void OnEphemeral(string channel, EphemeralEvent ephemeral)
        {
            lock (Events)
            {
                Events.Add((channel, ephemeral));
            }
        }

        public void OnPublication(Publication publication)
        {
        }

        public void OnStreamReset(string channel, StreamTop position)
        {
        }
    }
}
