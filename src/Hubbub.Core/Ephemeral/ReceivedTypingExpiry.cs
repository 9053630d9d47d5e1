using Hubbub.Core.Seams;
using Hubbub.Protocol;

namespace Hubbub.Core.Ephemeral;

/// <summary>
/// The receiving side of typing, in front of this node's subscribers: whoever sent an <c>is_typing:true</c> (this node
/// or another), its subscribers get <c>is_typing:false</c> at most <see cref="HubbubOptions.TypingTimeoutMs"/> +
/// <see cref="Margin"/> after the last true this node received. Normally the typist's node (<see cref="TypingTracker"/>)
/// sends that false first and it passes through; when that node died (SIGKILL) nothing would, and this node's own
/// expiry delivers it to its local subscribers only. A false for a typing this node's expiry already ended is dropped
/// (it is remembered for one more expiry period), so each subscriber gets exactly one false per typing either way;
/// any other false passes as it always did. Every other event passes straight through to the sink behind it.
/// </summary>
public sealed class ReceivedTypingExpiry : IBrokerSink, IDisposable
{
    /// <summary>
    /// How much longer than the typist's node this node waits: the typist's own false, sent exactly
    /// <see cref="HubbubOptions.TypingTimeoutMs"/> after its last true, crosses the broker well within it, so a live
    /// typist's node decides and this expiry only speaks for a dead one.
    /// </summary>
    public static readonly TimeSpan Margin = TimeSpan.FromSeconds(1);

    private readonly Dictionary<(string Channel, string User), Shown> _shown = [];
    private readonly Lock _gate = new();
    private readonly IBrokerSink _inner;
    private readonly TimeProvider _time;
    private readonly TimeSpan _expiry;

    /// <summary>Creates the expiry in front of <paramref name="inner"/> (the node's <see cref="Channels.SubscriberRegistry"/>).</summary>
    public ReceivedTypingExpiry(IBrokerSink inner, TimeProvider time, TimeSpan typingTimeout)
    {
        _inner = inner;
        _time = time;
        _expiry = typingTimeout + Margin;
    }

    /// <summary>How many typings this node shows now (for tests and metrics).</summary>
    public int ShownCount
    {
        get
        {
            lock (_gate)
            {
                return _shown.Values.Count(s => !s.EndedHere);
            }
        }
    }

    /// <inheritdoc />
    public void OnPublication(Publication publication) => _inner.OnPublication(publication);

    /// <inheritdoc />
    public void OnStreamReset(string channel, StreamTop position) => _inner.OnStreamReset(channel, position);

    /// <inheritdoc />
    public void OnEphemeral(string channel, EphemeralEvent ephemeral)
    {
        if (ephemeral.Typing is { } typing && !Track(channel, typing))
        {
            return;
        }
        _inner.OnEphemeral(channel, ephemeral);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var shown in _shown.Values)
            {
                shown.Timer.Dispose();
            }
            _shown.Clear();
        }
    }

    // True when the event is to be delivered: every true (it (re)arms the expiry), a false unless this node's expiry
    // already sent it.
    private bool Track(string channel, TypingState typing)
    {
        var key = (channel, typing.User.User);
        lock (_gate)
        {
            if (typing.IsTyping)
            {
                if (_shown.TryGetValue(key, out var shown))
                {
                    shown.EndedHere = false;
                    shown.Timer.Change(_expiry, Timeout.InfiniteTimeSpan);
                }
                else
                {
                    shown = new Shown(channel, typing.User);
                    shown.Timer = _time.CreateTimer(Expire, shown, _expiry, Timeout.InfiniteTimeSpan);
                    _shown[key] = shown;
                }
                return true;
            }
            if (!_shown.Remove(key, out var ended))
            {
                return true;
            }
            ended.Timer.Dispose();
            return !ended.EndedHere;
        }
    }

    private void Expire(object? state)
    {
        var shown = (Shown)state!;
        lock (_gate)
        {
            // A callback already on its way when a false ended this typing (and a true began another) must not end the next.
            var key = (shown.Channel, shown.User.User);
            if (!_shown.TryGetValue(key, out var current) || !ReferenceEquals(current, shown))
            {
                return;
            }
            if (shown.EndedHere)
            {
                // The sender's node never sent its false (it died): forget the typing.
                _shown.Remove(key);
                shown.Timer.Dispose();
                return;
            }
            // Remembered for one more period, so the sender's false, should it still come, is not a second one.
            shown.EndedHere = true;
            shown.Timer.Change(_expiry, Timeout.InfiniteTimeSpan);
        }
        _inner.OnEphemeral(shown.Channel, TypingTracker.Event(shown.Channel, shown.User, isTyping: false));
    }

    private sealed class Shown(string channel, ClientInfo user)
    {
        public string Channel { get; } = channel;
        public ClientInfo User { get; } = user;
        public ITimer Timer { get; set; } = null!;
        public bool EndedHere { get; set; }
    }
}
