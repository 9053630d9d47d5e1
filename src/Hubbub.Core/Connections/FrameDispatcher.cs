using System.Runtime.InteropServices;
using System.Text.Json;
using Hubbub.Core.Channels;
using Hubbub.Core.Commands;
using Hubbub.Core.Diagnostics;
using Hubbub.Protocol;
using Microsoft.Extensions.Logging;

namespace Hubbub.Core.Connections;

/// <summary>
/// Routes each client frame: rate limit, parse, then a core operation (a subscription's start or end in
/// <see cref="ChannelLifetime"/>, any other channel request in <see cref="ChannelRequests"/>) or a feature command.
/// Every frame with an id gets exactly one reply or error; a bad frame gets <c>bad_request</c> and the connection
/// stays open. One per engine.
/// </summary>
internal sealed class FrameDispatcher
{
    private readonly ChannelLifetime _lifetime;
    private readonly ChannelRequests _requests;
    private readonly CommandRegistry _commands;
    private readonly TokenRefresh _refresh;
    private readonly IServiceProvider _services;
    private readonly HubbubOptions _options;
    private readonly ILogger _logger;

    public FrameDispatcher(ChannelLifetime lifetime, ChannelRequests requests, CommandRegistry commands, IServiceProvider services,
        HubbubOptions options, ILogger logger)
    {
        _refresh = new TokenRefresh(services, logger);
        _lifetime = lifetime;
        _requests = requests;
        _commands = commands;
        _services = services;
        _options = options;
        _logger = logger;
    }

    public async ValueTask HandleAsync(ClientConnection connection, ReadOnlyMemory<byte> utf8)
    {
        if (!connection.RateLimit.TryTake())
        {
            RejectForRate(connection, utf8);
            return;
        }

        using var frame = InboundFrame.TryParse(utf8, out var parseError, out var parsedId);
        if (frame is null)
        {
            SendError(connection, parsedId, ErrorCodes.BadRequest, parseError!);
            return;
        }

        // The client's next frames wait unread while this one is handled; the time is credited back to its rate
        // limit, so a backlog the server caused (a broker that does not answer) is not refused as a flood.
        var started = connection.RateLimit.StartServerTime();
        try
        {
            await RouteAsync(connection, frame, CancellationToken.None);
        }
        catch (HubbubException ex)
        {
            SendError(connection, frame.RawId, ex.Code, ex.Message, ex.Reason);
        }
        catch (JsonException ex)
        {
            SendError(connection, frame.RawId, ErrorCodes.BadRequest, $"'{frame.Type}' has a malformed field: {Describe(ex)}");
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or NotSupportedException && IsJsonShapeError(ex))
        {
            SendError(connection, frame.RawId, ErrorCodes.BadRequest, $"'{frame.Type}' has a malformed field");
        }
        catch (Exception ex)
        {
            Log.RequestFailed(_logger, ex, frame.Type, connection.Id);
            SendError(connection, frame.RawId, ErrorCodes.Internal, "the server failed to handle this request; try again");
        }
        finally
        {
            connection.RateLimit.CreditServerTime(started);
        }
    }

    private ValueTask RouteAsync(ClientConnection connection, InboundFrame frame, CancellationToken ct)
    {
        switch (frame.Type)
        {
            case MessageTypes.Ping:
                // The data goes back as the client sent it (already validated by the parse): its raw bytes, not a
                // re-serialization of the parsed element.
                connection.TryEnqueue(FrameWriter.Simple(MessageTypes.Pong, frame.RawId,
                    frame.Data.ValueKind == JsonValueKind.Undefined ? default : JsonMarshal.GetRawUtf8Value(frame.Data)));
                return ValueTask.CompletedTask;
            case MessageTypes.Pong:
                // A client's answer to the server's heartbeat: its arrival is all that matters. One that carries an id
                // is answered like every frame with an id (PROTOCOL "Frames": exactly one answer with that id).
                if (frame.RawId is not null)
                {
                    connection.TryEnqueue(FrameWriter.ReplyRaw(frame.RawId, "{}"u8));
                }
                return ValueTask.CompletedTask;
            case MessageTypes.Subscribe:
                return _lifetime.SubscribeAsync(connection, frame.RawId, Read(frame, HubbubJsonContext.Default.SubscribeRequest), ct);
            case MessageTypes.Unsubscribe:
                return _lifetime.UnsubscribeAsync(connection, frame.RawId, Read(frame, HubbubJsonContext.Default.ChannelRequest));
            case MessageTypes.Publish:
                return _requests.PublishAsync(connection, frame.RawId, ReadPublish(frame), ct);
            case MessageTypes.History:
                return _requests.HistoryAsync(connection, frame.RawId, Read(frame, HubbubJsonContext.Default.HistoryRequest), ct);
            case MessageTypes.Presence:
                return _requests.PresenceAsync(connection, frame.RawId, Read(frame, HubbubJsonContext.Default.ChannelRequest), ct);
            case MessageTypes.Typing:
                return _requests.TypingAsync(connection, frame.RawId, Read(frame, HubbubJsonContext.Default.TypingRequest), ct);
            case MessageTypes.Cursor:
                return _requests.CursorAsync(connection, frame.RawId, WithChannel(frame), ct);
            case MessageTypes.Refresh:
                return _refresh.RefreshAsync(connection, frame.RawId, TokenRefresh.Read(frame.Data));
        }

        if (_commands.Find(frame.Type) is { } handler)
        {
            return RunCommandAsync(connection, frame, handler, ct);
        }
        throw HubbubException.BadRequest($"unknown message type '{ClientText.Truncate(frame.Type)}'");
    }

    private async ValueTask RunCommandAsync(ClientConnection connection, InboundFrame frame, CommandHandler handler, CancellationToken ct)
    {
        var data = frame.Data.ValueKind == JsonValueKind.Undefined ? EmptyObject : frame.Data;
        if (frame.RawId is null)
        {
            // No reply to put first.
            await handler(new CommandContext(connection.User, connection, data, _services), ct);
            return;
        }
        // A command's events to its own sender (chat.send's message, say) go out after its reply: what the command
        // publishes through the engine holds this connection's frames until the reply is queued.
        connection.BeginRequest();
        CommandRequest.Current = connection;
        byte[]? replyFrame = null;
        try
        {
            var reply = await handler(new CommandContext(connection.User, connection, data, _services), ct);
            replyFrame = FrameWriter.ReplyRaw(frame.RawId, reply ?? "{}"u8.ToArray());
        }
        finally
        {
            CommandRequest.Current = null;
            connection.EndRequest(replyFrame);
        }
    }

    /// <summary>A second without a refusal ends a flood: the count of refusals starts again after one.</summary>
    internal static readonly TimeSpan FloodQuiet = TimeSpan.FromSeconds(1);

    private void RejectForRate(ClientConnection connection, ReadOnlyMemory<byte> utf8)
    {
        HubbubMetrics.RateLimited.Inc();
        // Parse only to answer the id; a flood is cheap to refuse. Every refused frame is answered, the last too.
        using (var frame = InboundFrame.TryParse(utf8, out _, out var rawId))
        {
            SendError(connection, frame?.RawId ?? rawId, ErrorCodes.RateLimited,
                $"slow down: at most {_options.MessagesPerSecond} frames per second (burst {_options.Burst})");
        }
        if (connection.CountRateRefusal(FloodQuiet) >= _options.FloodCloseAfter)
        {
            Log.Flooding(_logger, connection.Id, connection.User.Id);
            // Queued frames (the rate_limited errors among them) still go out before the close frame.
            connection.Close(CloseCodes.PolicyViolation, "rate limit exceeded");
        }
    }

    private static void SendError(ClientConnection connection, string? rawId, string code, string message, string? reason = null)
    {
        HubbubMetrics.Errors.WithLabels(code).Inc();
        connection.TryEnqueue(FrameWriter.Error(rawId, code, message, reason));
    }

    /// <summary>
    /// Reads a request's <c>data</c>. A top-level <c>channel</c> is accepted too (a common client habit) when
    /// <c>data</c> has none.
    /// </summary>
    private static T Read<T>(InboundFrame frame, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
    {
        var data = WithChannel(frame);
        if (data.ValueKind != JsonValueKind.Object)
        {
            throw HubbubException.BadRequest($"'{frame.Type}' needs an object in 'data'");
        }
        return data.Deserialize(typeInfo) ?? throw HubbubException.BadRequest($"'{frame.Type}' needs an object in 'data'");
    }

    /// <summary>
    /// Reads a <c>publish</c>. Beside the documented shape (<c>data: {channel, event?, data}</c>) a frame shaped like
    /// the message it makes is accepted: a top-level <c>channel</c> with <c>data</c> as the payload itself. With a
    /// top-level <c>channel</c>, <c>data</c> is read as the arguments only when it holds <c>data</c> and nothing but
    /// <c>channel</c>, <c>event</c> and <c>data</c>; any other payload is published whole, under a top-level
    /// <c>event</c> when the frame has one.
    /// </summary>
    private static PublishRequest ReadPublish(InboundFrame frame)
    {
        if (frame.Channel is null)
        {
            return ReadPublishArguments(frame.Data) ?? Read(frame, HubbubJsonContext.Default.PublishRequest);
        }
        // Beside a top-level channel, a top-level event names the message's type, as it does in the message it makes;
        // an event inside the arguments comes first.
        var eventType = TopLevelEvent(frame);
        if (frame.Data.ValueKind != JsonValueKind.Undefined && !IsPublishArguments(frame.Data))
        {
            return new PublishRequest(frame.Channel, eventType, frame.Data);
        }
        var request = Read(frame, HubbubJsonContext.Default.PublishRequest);
        return request.Event is null && eventType is not null ? request with { Event = eventType } : request;
    }

    private static string? TopLevelEvent(InboundFrame frame) => frame.TopLevel("event"u8) switch
    {
        { ValueKind: JsonValueKind.String } value => value.GetString(),
        { ValueKind: JsonValueKind.Undefined or JsonValueKind.Null } => null,
        _ => throw HubbubException.BadRequest("'event' must be a string"),
    };

    /// <summary>
    /// The common shape, <c>data: {channel, event?, data}</c> with string (or null) <c>channel</c> and <c>event</c>,
    /// read straight from the parsed frame: the serializer would copy <c>data</c> into a document of its own, to be
    /// serialized again. Anything else (not an object, a field of the wrong type) returns null, and the serializer
    /// reads it and gives its error as before. As the serializer does, unknown fields are skipped and a repeated
    /// field's last value counts.
    /// </summary>
    private static PublishRequest? ReadPublishArguments(JsonElement arguments)
    {
        if (arguments.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        string? channel = null;
        string? eventType = null;
        JsonElement data = default;
        foreach (var property in arguments.EnumerateObject())
        {
            if (property.NameEquals("data"u8))
            {
                data = property.Value;
            }
            else if (property.NameEquals("channel"u8) || property.NameEquals("event"u8))
            {
                var value = property.Value;
                if (value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                {
                    return null;
                }
                if (property.NameEquals("channel"u8))
                {
                    channel = value.GetString();
                }
                else
                {
                    eventType = value.GetString();
                }
            }
        }
        return new PublishRequest(channel, eventType, data);
    }

    private static bool IsPublishArguments(JsonElement data)
    {
        if (data.ValueKind != JsonValueKind.Object || !data.TryGetProperty("data"u8, out _))
        {
            return false;
        }
        foreach (var property in data.EnumerateObject())
        {
            if (!(property.NameEquals("data"u8) || property.NameEquals("event"u8) || property.NameEquals("channel"u8)))
            {
                return false;
            }
        }
        return true;
    }

    private static JsonElement WithChannel(InboundFrame frame)
    {
        if (frame.Channel is null)
        {
            return frame.Data;
        }
        if (frame.Data.ValueKind == JsonValueKind.Object && frame.Data.TryGetProperty("channel"u8, out _))
        {
            return frame.Data;
        }
        // Merge the top-level channel into data so one reader serves both shapes.
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(64);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("channel"u8, frame.Channel);
            if (frame.Data.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in frame.Data.EnumerateObject())
                {
                    property.WriteTo(w);
                }
            }
            w.WriteEndObject();
        }
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static string Describe(JsonException ex) =>
        ex.Path is { Length: > 0 } path ? $"{path} has the wrong type" : "wrong type";

    /// <summary>
    /// Whether System.Text.Json threw <paramref name="ex"/> (a value of the wrong shape). Read from the stack frames'
    /// types, not from <see cref="Exception.StackTrace"/>: that text carries file and line numbers, so formatting it
    /// loads the symbol reader and opens the server's .pdb files, for good, the first time a request fails on a
    /// closing connection (found by the soak as open files that never came back).
    /// </summary>
    internal static bool IsJsonShapeError(Exception ex)
    {
        foreach (var frame in new System.Diagnostics.StackTrace(ex, fNeedFileInfo: false).GetFrames())
        {
            if (frame.GetMethod()?.DeclaringType?.Namespace?.StartsWith("System.Text.Json", StringComparison.Ordinal) == true)
            {
                return true;
            }
        }
        return false;
    }

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();
}
