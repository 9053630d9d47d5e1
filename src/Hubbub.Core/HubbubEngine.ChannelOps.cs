using System.Text.Json;
using Hubbub.Core.Connections;
using Hubbub.Core.Diagnostics;
using Hubbub.Core.Seams;
using Hubbub.Protocol;

namespace Hubbub.Core;

// The core channel operations a client asks for over its WebSocket. Each validates, checks the channel's
// rules, then acts through the seams; refusals are HubbubExceptions the dispatcher turns into error frames.
public sealed partial class HubbubEngine
{
    internal async ValueTask SubscribeAsync(ClientConnection connection, string? rawId, SubscribeRequest request, CancellationToken ct)
    {
        var channel = ParseChannel(request.Channel);
        if (!await Rules.CanSubscribeAsync(connection.User, channel, ct))
        {
            throw HubbubException.Forbidden($"you may not subscribe to '{channel}'");
        }
        if (request.Since is { } since && (since.Offset < 0 || string.IsNullOrEmpty(since.Epoch)))
        {
            throw HubbubException.BadRequest("since needs a non-negative offset and an epoch");
        }
        if (connection.Subscriptions.Contains(channel.Value))
        {
            throw HubbubException.Conflict($"already subscribed to '{channel}'");
        }
        if (connection.Subscriptions.Count >= _options.MaxSubscriptionsPerConnection)
        {
            throw HubbubException.Forbidden($"a connection may hold at most {_options.MaxSubscriptionsPerConnection} subscriptions");
        }

        var presence = Rules.Find(channel.Namespace)!.Presence;
        var subscription = new Subscription(connection, channel.Value, presence);
        if (!connection.Subscriptions.TryAdd(subscription))
        {
            throw HubbubException.Conflict($"already subscribed to '{channel}'");
        }

        try
        {
            // Register first so nothing published from here on is missed; the subscription buffers it
            // until the reply and any recovered publications have been queued.
            if (Subscribers.Add(subscription))
            {
                await _broker.SubscribeAsync(channel.Value, ct);
            }
            // Asked again now that the subscription is registered: access withdrawn between the first check and the
            // registration (RemoveUserFromChannelAsync) was not seen by it, and would leave a subscription behind.
            if (!await Rules.CanSubscribeAsync(connection.User, channel, ct))
            {
                throw HubbubException.Forbidden($"you may not subscribe to '{channel}'");
            }

            IReadOnlyList<Publication> recovered = [];
            bool? wasRecovered = null;
            StreamTop top;
            if (request.Since is { } position)
            {
                var policy = _options.HistoryFor(channel.Namespace);
                var history = await _history.ReadAsync(channel.Value, position.Offset, position.Epoch,
                    Math.Max(policy.Size, 1), ct);
                top = history.Top;
                // Replayed only within the history reply budget: the replay is queued at once, and a larger one would
                // hold that much memory per connection (and close a client that reads as fast as it can as a slow
                // consumer). Beyond it the client is told, and pages what it missed with history.
                wasRecovered = history.Complete && FrameBytes(history.Publications) <= _options.MaxHistoryReplyBytes;
                if (wasRecovered == true)
                {
                    recovered = history.Publications;
                }
            }
            else
            {
                top = await _history.GetTopAsync(channel.Value, ct);
            }

            var reply = FrameWriter.Reply(rawId, new SubscribeReply(top.Offset, top.Epoch, wasRecovered)
            {
                State = await JoinStateAsync(connection.User, channel, ct),
            }, HubbubJsonContext.Default.SubscribeReply);
            subscription.Activate(reply, top, recovered);
        }
        catch
        {
            // Not subscribed after all: a retry must not be refused as a duplicate, nor count toward the cap.
            connection.Subscriptions.TryRemove(subscription);
            await RemoveSubscriptionAsync(subscription);
            throw;
        }

        if (presence)
        {
            var joined = await _presence.AddAsync(channel.Value,
                new PresenceEntry(connection.Id, connection.User.Id, connection.User.Name, _time.GetUtcNow()), ct);
            if (joined && _options.JoinLeaveFor(channel.Namespace))
            {
                await SendEphemeralAsync(channel.Value, PresenceEvent(MessageTypes.PresenceJoin, channel.Value, connection.Info, connection.Id));
            }
        }
    }

    // Asked once the subscription is registered and confirmed, so the state cannot be older than what follows it.
    private async ValueTask<JsonElement?> JoinStateAsync(HubbubUser user, Channels.ChannelName channel, CancellationToken ct)
    {
        if (Rules.Find(channel.Namespace)?.JoinState is not { } joinState
            || await joinState(new Channels.ChannelAccess(user, channel), ct) is not { } state)
        {
            return null;
        }
        return JsonSerializer.Deserialize(state, HubbubJsonContext.Default.JsonElement);
    }

    internal async ValueTask UnsubscribeAsync(ClientConnection connection, string? rawId, ChannelRequest request)
    {
        var channel = ParseChannel(request.Channel);
        if (connection.Subscriptions.TryRemove(channel.Value, out var subscription))
        {
            await RemoveSubscriptionAsync(subscription);
        }
        Reply(connection, rawId);
    }

    internal async ValueTask ClientPublishAsync(ClientConnection connection, string? rawId, PublishRequest request, CancellationToken ct)
    {
        var channel = ParseChannel(request.Channel);
        if (request.Data.ValueKind == JsonValueKind.Undefined)
        {
            throw HubbubException.BadRequest("publish needs 'data'");
        }
        var subscribed = connection.Subscriptions.Contains(channel.Value);
        if (!await Rules.CanPublishAsync(connection.User, channel, subscribed, ct))
        {
            throw HubbubException.Forbidden($"you may not publish on '{channel}'");
        }
        var data = JsonSerializer.SerializeToUtf8Bytes(request.Data, HubbubJsonContext.Default.JsonElement);
        if (rawId is null || !subscribed)
        {
            // No reply, or no copy of its own coming back: nothing to put first.
            var published = await PublishCheckedAsync(channel, request.Event, data, connection.Info, ct);
            if (rawId is not null)
            {
                connection.TryEnqueue(FrameWriter.Reply(rawId, new PublishReply(published.Offset), HubbubJsonContext.Default.PublishReply));
            }
            return;
        }
        // A publisher subscribed to the channel gets the reply first, then its own copy of the message.
        connection.BeginRequest(hold: true);
        byte[]? reply = null;
        try
        {
            var publication = await PublishCheckedAsync(channel, request.Event, data, connection.Info, ct);
            reply = FrameWriter.Reply(rawId, new PublishReply(publication.Offset), HubbubJsonContext.Default.PublishReply);
        }
        finally
        {
            connection.EndRequest(reply);
        }
    }

    internal async ValueTask HistoryAsync(ClientConnection connection, string? rawId, HistoryRequest request, CancellationToken ct)
    {
        var channel = ParseChannel(request.Channel);
        if (!await Rules.CanSubscribeAsync(connection.User, channel, connection.Subscriptions.Contains(channel.Value), ct))
        {
            throw HubbubException.Forbidden($"you may not read '{channel}'");
        }
        var limit = request.Limit ?? 100;
        if (limit < 1 || limit > _options.MaxHistoryLimit)
        {
            throw HubbubException.BadRequest($"limit must be between 1 and {_options.MaxHistoryLimit}");
        }
        var (sinceOffset, sinceEpoch) = ReadSince(request.Since);
        var result = await _history.ReadAsync(channel.Value, sinceOffset, sinceEpoch, limit, ct);
        connection.TryEnqueue(HistoryReply(rawId, result, _options.MaxHistoryReplyBytes));
    }

    /// <summary>A history <c>since</c>: absent, a bare offset, or <c>{offset, epoch?}</c>.</summary>
    private static (long? Offset, string? Epoch) ReadSince(JsonElement since)
    {
        switch (since.ValueKind)
        {
            case JsonValueKind.Undefined or JsonValueKind.Null:
                return (null, null);
            case JsonValueKind.Number when since.TryGetInt64(out var bare) && bare >= 0:
                return (bare, null);
            case JsonValueKind.Object when since.TryGetProperty("offset"u8, out var o) && o.TryGetInt64(out var offset) && offset >= 0:
                string? epoch = null;
                if (since.TryGetProperty("epoch"u8, out var e))
                {
                    epoch = e.ValueKind == JsonValueKind.String ? e.GetString()
                        : e.ValueKind == JsonValueKind.Null ? null
                        : throw HubbubException.BadRequest("since.epoch must be a string");
                }
                return (offset, epoch);
            default:
                throw HubbubException.BadRequest("since must be an offset or {offset, epoch}");
        }
    }

    internal async ValueTask PresenceAsync(ClientConnection connection, string? rawId, ChannelRequest request, CancellationToken ct)
    {
        var channel = ParseChannel(request.Channel);
        if (!await Rules.CanSubscribeAsync(connection.User, channel, connection.Subscriptions.Contains(channel.Value), ct))
        {
            throw HubbubException.Forbidden($"you may not see who is in '{channel}'");
        }
        var members = await _presence.GetMembersAsync(channel.Value, ct);
        connection.TryEnqueue(FrameWriter.Reply(rawId, new PresenceReply(members), HubbubJsonContext.Default.PresenceReply));
    }

    internal async ValueTask TypingAsync(ClientConnection connection, string? rawId, TypingRequest request, CancellationToken ct)
    {
        var channel = ParseChannel(request.Channel);
        if (request.IsTyping is not { } isTyping)
        {
            throw HubbubException.BadRequest("typing needs a boolean 'is_typing'");
        }
        if (!await Rules.CanSubscribeAsync(connection.User, channel, connection.Subscriptions.Contains(channel.Value), ct))
        {
            throw HubbubException.Forbidden($"you may not type in '{channel}'");
        }
        await Typing.SetAsync(channel.Value, connection.Info, isTyping);
        Reply(connection, rawId);
    }

    internal async ValueTask CursorAsync(ClientConnection connection, string? rawId, JsonElement data, CancellationToken ct)
    {
        string? channelValue = null;
        if (data.ValueKind == JsonValueKind.Object && data.TryGetProperty("channel"u8, out var c) && c.ValueKind == JsonValueKind.String)
        {
            channelValue = c.GetString();
        }
        var channel = ParseChannel(channelValue);
        if (!await Rules.CanSubscribeAsync(connection.User, channel, connection.Subscriptions.Contains(channel.Value), ct))
        {
            throw HubbubException.Forbidden($"you may not share a cursor in '{channel}'");
        }
        await Cursors.MoveAsync(channel.Value, connection.Info, data);
        Reply(connection, rawId);
    }

    internal async ValueTask RemoveSubscriptionAsync(Subscription subscription)
    {
        var channel = subscription.Channel;
        var connection = subscription.Connection;
        if (Subscribers.Remove(subscription))
        {
            await _broker.UnsubscribeAsync(channel);
        }
        await Typing.StopIfTypingAsync(channel, connection.Info);
        if (subscription.Presence
            && await _presence.RemoveAsync(channel, connection.Id, connection.User.Id))
        {
            Cursors.Forget(channel, connection.User.Id);
            if (_options.JoinLeaveForChannel(channel))
            {
                await SendEphemeralAsync(channel, PresenceEvent(MessageTypes.PresenceLeave, channel, connection.Info, connection.Id));
            }
        }
    }

    private static EphemeralEvent PresenceEvent(string type, string channel, ClientInfo user, string excludeConnection) =>
        new(FrameWriter.Presence(type, channel, user), null, excludeConnection);

    private static void Reply(ClientConnection connection, string? rawId)
    {
        if (rawId is not null)
        {
            connection.TryEnqueue(FrameWriter.ReplyRaw(rawId, "{}"u8));
        }
    }

    /// <summary>
    /// The history reply: the oldest publications of <paramref name="result"/> whose frames fit
    /// <paramref name="maxBytes"/> together (always at least one), and <c>truncated:true</c> when some did not fit.
    /// </summary>
    private static byte[] HistoryReply(string? rawId, HistoryResult result, int maxBytes)
    {
        var publications = result.Publications;
        var count = 0;
        long bytes = 0;
        while (count < publications.Count)
        {
            var next = publications[count].Frame.Length;
            if (count > 0 && bytes + next > maxBytes)
            {
                break;
            }
            bytes += next;
            count++;
        }
        // Sized up front (frames, commas, the rest of the reply): a doubling buffer would hold up to twice the reply.
        var buffer = new System.Buffers.ArrayBufferWriter<byte>((int)Math.Min(int.MaxValue, bytes + count + 256));
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WritePropertyName("publications"u8);
            w.WriteStartArray();
            for (var i = 0; i < count; i++)
            {
                w.WriteRawValue(publications[i].Frame, skipInputValidation: true);
            }
            w.WriteEndArray();
            w.WriteNumber("offset"u8, result.Top.Offset);
            w.WriteString("epoch"u8, result.Top.Epoch);
            if (count < publications.Count)
            {
                w.WriteBoolean("truncated"u8, true);
            }
            w.WriteEndObject();
        }
        return FrameWriter.ReplyRaw(rawId, buffer.WrittenSpan);
    }

    private static long FrameBytes(IReadOnlyList<Publication> publications)
    {
        long bytes = 0;
        foreach (var publication in publications)
        {
            bytes += publication.Frame.Length;
        }
        return bytes;
    }
}
