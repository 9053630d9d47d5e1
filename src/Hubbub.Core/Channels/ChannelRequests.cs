using System.Runtime.InteropServices;
using System.Text.Json;
using Hubbub.Core.Connections;
using Hubbub.Core.Diagnostics;
using Hubbub.Core.Ephemeral;
using Hubbub.Core.Publishing;
using Hubbub.Core.Seams;
using Hubbub.Protocol;
using Microsoft.Extensions.Logging;

namespace Hubbub.Core.Channels;

/// <summary>
/// What a client does on a channel besides subscribing: publish, read history, see who is present, type, move a
/// cursor. Each validates, checks the channel's rules, then acts through the seams; refusals are
/// <see cref="HubbubException"/>s the dispatcher turns into error frames. Holds no state of its own. One per engine.
/// </summary>
internal sealed class ChannelRequests(HubbubOptions options, ChannelRules rules, ChannelPublisher publisher,
    IHistoryStore history, IPresenceStore presence, TypingTracker typing, CursorCoalescer cursors, ILogger logger)
{
    /// <summary>How many publications without an id one connection may have in flight while its next frames are read.</summary>
    internal const int MaxUnansweredPublishes = 64;

    public async ValueTask PublishAsync(ClientConnection connection, string? rawId, PublishRequest request, CancellationToken ct)
    {
        var channel = ChannelName.ParseOrRefuse(request.Channel, options.MaxChannelLength);
        if (request.Data.ValueKind == JsonValueKind.Undefined)
        {
            throw HubbubException.BadRequest("publish needs 'data'");
        }
        var subscribed = connection.Subscriptions.Contains(channel.Value);
        if (!await rules.CanPublishAsync(AccessOf(connection, channel), subscribed, ct))
        {
            throw HubbubException.Forbidden($"you may not publish on '{channel}'");
        }
        // The data's bytes as the client sent them (the frame's parse validated them), as ping echoes its data: no
        // second serialization of what was just parsed. Copied, since the frame's buffer is reused.
        var data = JsonMarshal.GetRawUtf8Value(request.Data).ToArray();
        if (rawId is null)
        {
            // Nothing to answer. The broker fixes the publication's place in the channel's order before PublishAsync
            // returns (see IBroker), so the client's next frame may be read while a remote broker (Redis) completes
            // this one: a stream of publications from one connection is then in flight together instead of one
            // round trip each (the reader waiting behind every round trip capped a cluster's publish rate). Bounded
            // per connection; past the bound the reader waits as before. A local broker completes at once.
            var pending = publisher.PublishCheckedAsync(channel, request.Event, data, connection.Info, ct);
            if (!pending.IsCompleted && connection.TryStartUnansweredPublish(MaxUnansweredPublishes))
            {
                _ = FinishUnansweredAsync(connection, pending);
                return;
            }
            await pending;
            return;
        }
        if (!subscribed)
        {
            // No copy of its own coming back: nothing to put the reply before.
            var published = await publisher.PublishCheckedAsync(channel, request.Event, data, connection.Info, ct);
            connection.TryEnqueue(FrameWriter.OffsetReply(rawId, published.Offset));
            return;
        }
        // A publisher subscribed to the channel gets the reply first, then its own copy of the message.
        connection.BeginRequest(hold: true);
        byte[]? reply = null;
        try
        {
            var publication = await publisher.PublishCheckedAsync(channel, request.Event, data, connection.Info, ct);
            reply = FrameWriter.OffsetReply(rawId, publication.Offset);
        }
        finally
        {
            connection.EndRequest(reply);
        }
    }

    /// <summary>
    /// Waits for a publication the reader did not wait for; a failure gets the error frame the dispatcher would have
    /// sent (without an id, like the frame).
    /// </summary>
    private async Task FinishUnansweredAsync(ClientConnection connection, ValueTask<Publication> pending)
    {
        try
        {
            await pending;
        }
        catch (HubbubException ex)
        {
            HubbubMetrics.Errors.WithLabels(ex.Code).Inc();
            connection.TryEnqueue(FrameWriter.Error(null, ex.Code, ex.Message, ex.Reason));
        }
        catch (Exception ex)
        {
            Log.RequestFailed(logger, ex, MessageTypes.Publish, connection.Id);
            HubbubMetrics.Errors.WithLabels(ErrorCodes.Internal).Inc();
            connection.TryEnqueue(FrameWriter.Error(null, ErrorCodes.Internal, "the server failed to handle this request; try again"));
        }
        finally
        {
            connection.EndUnansweredPublish();
        }
    }

    public async ValueTask HistoryAsync(ClientConnection connection, string? rawId, HistoryRequest request, CancellationToken ct)
    {
        var channel = ChannelName.ParseOrRefuse(request.Channel, options.MaxChannelLength);
        if (!await rules.CanSubscribeAsync(AccessOf(connection, channel), connection.Subscriptions.Contains(channel.Value), ct))
        {
            throw HubbubException.Forbidden($"you may not read '{channel}'");
        }
        var limit = request.Limit ?? 100;
        if (limit < 1 || limit > options.MaxHistoryLimit)
        {
            throw HubbubException.BadRequest($"limit must be between 1 and {options.MaxHistoryLimit}");
        }
        var (sinceOffset, sinceEpoch) = ReadSince(request.Since);
        var result = await history.ReadAsync(channel.Value, sinceOffset, sinceEpoch, limit, ct);
        connection.TryEnqueue(HistoryReply(rawId, result, options.MaxHistoryReplyBytes));
    }

    public async ValueTask PresenceAsync(ClientConnection connection, string? rawId, ChannelRequest request, CancellationToken ct)
    {
        var channel = ChannelName.ParseOrRefuse(request.Channel, options.MaxChannelLength);
        if (!await rules.CanSubscribeAsync(AccessOf(connection, channel), connection.Subscriptions.Contains(channel.Value), ct))
        {
            throw HubbubException.Forbidden($"you may not see who is in '{channel}'");
        }
        var members = await presence.GetMembersAsync(channel.Value, ct);
        connection.TryEnqueue(FrameWriter.Reply(rawId, new PresenceReply(members), HubbubJsonContext.Default.PresenceReply));
    }

    public async ValueTask TypingAsync(ClientConnection connection, string? rawId, TypingRequest request, CancellationToken ct)
    {
        var channel = ChannelName.ParseOrRefuse(request.Channel, options.MaxChannelLength);
        if (request.IsTyping is not { } isTyping)
        {
            throw HubbubException.BadRequest("typing needs a boolean 'is_typing'");
        }
        if (!await rules.CanSignalAsync(AccessOf(connection, channel), connection.Subscriptions.Contains(channel.Value), ct))
        {
            throw HubbubException.Forbidden($"you may not type in '{channel}'");
        }
        await typing.SetAsync(channel.Value, connection.Info, isTyping);
        connection.ReplyEmpty(rawId);
    }

    public async ValueTask CursorAsync(ClientConnection connection, string? rawId, JsonElement data, CancellationToken ct)
    {
        string? channelValue = null;
        if (data.ValueKind == JsonValueKind.Object && data.TryGetProperty("channel"u8, out var c) && c.ValueKind == JsonValueKind.String)
        {
            channelValue = c.GetString();
        }
        var channel = ChannelName.ParseOrRefuse(channelValue, options.MaxChannelLength);
        if (!await rules.CanSignalAsync(AccessOf(connection, channel), connection.Subscriptions.Contains(channel.Value), ct))
        {
            throw HubbubException.Forbidden($"you may not share a cursor in '{channel}'");
        }
        await cursors.MoveAsync(channel.Value, connection.Info, data);
        connection.ReplyEmpty(rawId);
    }

    private static ChannelAccess AccessOf(ClientConnection connection, ChannelName channel) =>
        new(connection.User, channel) { ConnectionId = connection.Id };

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
}
