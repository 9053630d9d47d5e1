using System.Buffers;
using System.Text.Json;
using Hubbub.Core.Seams;
using Hubbub.Protocol;

namespace Hubbub.Core.Ephemeral;

/// <summary>
/// Coalesces shared-cursor positions: at most one <c>cursor</c> event per user per channel per
/// <see cref="HubbubOptions.CursorIntervalMs"/>. A position that arrives inside the interval replaces any
/// waiting one and is sent when the interval ends, so the others always end on the latest position.
/// </summary>
public sealed class CursorCoalescer : IDisposable
{
    private readonly Dictionary<(string Channel, string User), State> _states = [];
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly Func<string, EphemeralEvent, ValueTask> _send;

    /// <summary>Creates a coalescer that sends events through <paramref name="send"/>.</summary>
    public CursorCoalescer(TimeProvider time, TimeSpan interval, Func<string, EphemeralEvent, ValueTask> send)
    {
        _time = time;
        _interval = interval;
        _send = send;
    }

    /// <summary>
    /// Takes a position: the request's <c>data</c> minus <c>channel</c>, relayed as
    /// <c>{user, name, …position}</c>. Sent now, or kept as the latest until the interval ends.
    /// </summary>
    public ValueTask MoveAsync(string channel, ClientInfo user, JsonElement position)
    {
        var frame = Frame(channel, user, position);
        var key = (channel, user.User);
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            if (!_states.TryGetValue(key, out var state))
            {
                state = new State(channel, user.User);
                _states[key] = state;
            }
            else if (state.Timer is not null || _time.GetElapsedTime(state.LastSent, now) < _interval)
            {
                state.Pending = frame;
                if (state.Timer is null)
                {
                    var wait = _interval - _time.GetElapsedTime(state.LastSent, now);
                    state.Timer = _time.CreateTimer(Flush, key, wait, Timeout.InfiniteTimeSpan);
                }
                return ValueTask.CompletedTask;
            }
            state.LastSent = now;
        }
        return _send(channel, new EphemeralEvent(frame, user.User, null));
    }

    /// <summary>Forgets a user's cursor on a channel (they left); a waiting position is dropped.</summary>
    public void Forget(string channel, string user)
    {
        lock (_gate)
        {
            if (_states.Remove((channel, user), out var state))
            {
                state.Timer?.Dispose();
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var state in _states.Values)
            {
                state.Timer?.Dispose();
            }
            _states.Clear();
        }
    }

    private void Flush(object? key)
    {
        var k = ((string Channel, string User))key!;
        byte[]? frame;
        lock (_gate)
        {
            if (!_states.TryGetValue(k, out var state))
            {
                return;
            }
            state.Timer?.Dispose();
            state.Timer = null;
            frame = state.Pending;
            state.Pending = null;
            if (frame is null)
            {
                return;
            }
            state.LastSent = _time.GetTimestamp();
        }
        _ = _send(k.Channel, new EphemeralEvent(frame, k.User, null)).AsTask();
    }

    private static byte[] Frame(string channel, ClientInfo user, JsonElement position)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("user"u8, user.User);
            w.WriteString("name"u8, user.Name);
            if (position.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in position.EnumerateObject())
                {
                    if (property.NameEquals("channel"u8) || property.NameEquals("user"u8) || property.NameEquals("name"u8))
                    {
                        continue;
                    }
                    property.WriteTo(w);
                }
            }
            w.WriteEndObject();
        }
        return FrameWriter.ChannelEvent(MessageTypes.Cursor, channel, null, buffer.WrittenSpan, null);
    }

    private sealed class State(string channel, string user)
    {
        public string Channel { get; } = channel;
        public string User { get; } = user;
        public long LastSent { get; set; }
        public byte[]? Pending { get; set; }
        public ITimer? Timer { get; set; }
    }
}
