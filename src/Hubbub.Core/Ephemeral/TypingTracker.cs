using System.Text.Json;
using Hubbub.Core.Seams;
using Hubbub.Protocol;

namespace Hubbub.Core.Ephemeral;

/// <summary>
/// Relays typing indicators and ends them on the user's behalf: <see cref="HubbubOptions.TypingTimeoutMs"/>
/// after the last <c>is_typing:true</c> the others get <c>is_typing:false</c>, so a client that vanishes
/// mid-sentence never leaves "is typing…" on screen. Timers come from <see cref="TimeProvider"/>.
/// </summary>
public sealed class TypingTracker : IDisposable
{
    private readonly Dictionary<(string Channel, string User), ITimer> _active = [];
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly Func<string, EphemeralEvent, ValueTask> _send;

    /// <summary>Creates a tracker that sends events through <paramref name="send"/>.</summary>
    public TypingTracker(TimeProvider time, TimeSpan timeout, Func<string, EphemeralEvent, ValueTask> send)
    {
        _time = time;
        _timeout = timeout;
        _send = send;
    }

    /// <summary>Relays a typing change and (re)arms or disarms the automatic stop.</summary>
    public ValueTask SetAsync(string channel, ClientInfo user, bool isTyping)
    {
        var key = (channel, user.User);
        lock (_gate)
        {
            if (isTyping)
            {
                if (_active.TryGetValue(key, out var timer))
                {
                    timer.Change(_timeout, Timeout.InfiniteTimeSpan);
                }
                else
                {
                    _active[key] = _time.CreateTimer(Expire, (channel, user), _timeout, Timeout.InfiniteTimeSpan);
                }
            }
            else if (_active.Remove(key, out var timer))
            {
                timer.Dispose();
            }
        }
        return _send(channel, Event(channel, user, isTyping));
    }

    /// <summary>Stops the user's typing on the channel if it is on (they left); sends <c>is_typing:false</c> then.</summary>
    public ValueTask StopIfTypingAsync(string channel, ClientInfo user)
    {
        lock (_gate)
        {
            if (!_active.Remove((channel, user.User), out var timer))
            {
                return ValueTask.CompletedTask;
            }
            timer.Dispose();
        }
        return _send(channel, Event(channel, user, isTyping: false));
    }

    /// <summary>How many users are typing somewhere (for tests and metrics).</summary>
    public int ActiveCount
    {
        get
        {
            lock (_gate)
            {
                return _active.Count;
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var timer in _active.Values)
            {
                timer.Dispose();
            }
            _active.Clear();
        }
    }

    private void Expire(object? state)
    {
        var (channel, user) = ((string, ClientInfo))state!;
        _ = StopIfTypingAsync(channel, user).AsTask();
    }

    /// <summary>The typing event every subscriber but the typist receives (also built by <see cref="ReceivedTypingExpiry"/>).</summary>
    internal static EphemeralEvent Event(string channel, ClientInfo user, bool isTyping)
    {
        var data = JsonSerializer.SerializeToUtf8Bytes(new TypingEvent(user.User, user.Name, isTyping), HubbubJsonContext.Default.TypingEvent);
        return new EphemeralEvent(FrameWriter.ChannelEvent(MessageTypes.Typing, channel, null, data, null), user.User, null,
            Typing: new TypingState(user, isTyping));
    }
}
