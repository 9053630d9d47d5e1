using Hubbub.Core.Channels;
using Hubbub.Core.Connections;
using Hubbub.Core.Diagnostics;
using Hubbub.Core.Seams;
using Hubbub.Protocol;
using Microsoft.Extensions.Options;

namespace Hubbub.Core.Publishing;

/// <summary>
/// Server-side publishing, apart from connection handling: it needs only the channel rules and the broker, so a
/// feature service can depend on it without depending on the engine (which depends on the features' commands and
/// connection observers). <see cref="HubbubEngine.PublishAsync"/> goes through the same code.
/// </summary>
public sealed class ChannelPublisher(IOptions<HubbubOptions> options, ChannelRules rules, IBroker broker) : IChannelPublisher
{
    private readonly HubbubOptions _options = options.Value;

    /// <summary>Publishes after validating the channel (its namespace must be declared) and the event type.</summary>
    public ValueTask<Publication> PublishAsync(string channel, string? eventType, ReadOnlyMemory<byte> data, ClientInfo? from,
        CancellationToken cancellationToken)
    {
        var name = Parse(channel);
        if (rules.Find(name.Namespace) is null)
        {
            throw HubbubException.NotFound($"channel namespace '{name.Namespace}' does not exist");
        }
        // Published while handling a client's command: that client's reply goes out before this publication.
        CommandRequest.Current?.HoldForReply();
        return PublishCheckedAsync(name, eventType, data, from, cancellationToken);
    }

    /// <inheritdoc />
    async ValueTask<long> IChannelPublisher.PublishAsync(string channel, string eventType, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        (await PublishAsync(channel, eventType, data, null, cancellationToken)).Offset;

    /// <inheritdoc />
    public bool PublishesAllAtOnce => broker is IMultiPublishBroker;

    /// <inheritdoc />
    public async ValueTask PublishAllAsync(string channel, IReadOnlyList<ChannelEvent> events, CancellationToken cancellationToken = default)
    {
        var (name, drafts) = Checked(channel, events);
        CommandRequest.Current?.HoldForReply();
        var policy = _options.HistoryFor(name.Namespace);
        if (broker is IMultiPublishBroker multi && drafts.Length > 1)
        {
            await multi.PublishAllAsync(name.Value, drafts, policy, cancellationToken);
            HubbubMetrics.Publications.Inc(drafts.Length);
            return;
        }
        foreach (var draft in drafts)
        {
            await broker.PublishAsync(name.Value, draft, policy, cancellationToken);
            HubbubMetrics.Publications.Inc();
        }
    }

    /// <inheritdoc />
    public bool OrdersAcrossNodes => broker is ISequencedBroker;

    /// <inheritdoc />
    public async ValueTask PublishInOrderAsync(string channel, IReadOnlyList<ChannelEvent> events, long sequence, CancellationToken cancellationToken = default)
    {
        if (broker is not ISequencedBroker sequenced)
        {
            await PublishAllAsync(channel, events, cancellationToken);
            return;
        }
        var (name, drafts) = Checked(channel, events);
        CommandRequest.Current?.HoldForReply();
        await sequenced.PublishInOrderAsync(name.Value, drafts, _options.HistoryFor(name.Namespace), sequence, cancellationToken);
        HubbubMetrics.Publications.Inc(drafts.Length);
    }

    /// <summary>The channel and the drafts of <paramref name="events"/>, every one checked before any is sent.</summary>
    private (ChannelName Name, PublicationDraft[] Drafts) Checked(string channel, IReadOnlyList<ChannelEvent> events)
    {
        var name = Parse(channel);
        if (rules.Find(name.Namespace) is null)
        {
            throw HubbubException.NotFound($"channel namespace '{name.Namespace}' does not exist");
        }
        var drafts = new PublicationDraft[events.Count];
        for (var i = 0; i < drafts.Length; i++)
        {
            drafts[i] = new PublicationDraft(CheckedType(events[i].EventType), events[i].Data, null);
        }
        return (name, drafts);
    }

    /// <inheritdoc />
    public async ValueTask PublishToUsersAsync(IEnumerable<string> users, string eventType, ReadOnlyMemory<byte> data,
        CancellationToken cancellationToken = default)
    {
        foreach (var user in users)
        {
            await PublishAsync("user:" + user, eventType, data, null, cancellationToken);
        }
    }

    /// <inheritdoc />
    public ValueTask EndSubscriptionsAsync(string user, string channel, string reason, CancellationToken cancellationToken = default)
    {
        var name = Parse(channel);
        return broker.PublishEphemeralAsync(name.Value,
            new EphemeralEvent(FrameWriter.Unsubscribed(name.Value, reason), null, null, EvictUser: user), cancellationToken);
    }

    internal async ValueTask<Publication> PublishCheckedAsync(ChannelName channel, string? eventType, ReadOnlyMemory<byte> data,
        ClientInfo? from, CancellationToken cancellationToken)
    {
        var type = CheckedType(eventType);
        var publication = await broker.PublishAsync(channel.Value, new PublicationDraft(type, data, from),
            _options.HistoryFor(channel.Namespace), cancellationToken);
        HubbubMetrics.Publications.Inc();
        return publication;
    }

    /// <summary>
    /// The event type to publish (<c>message</c> when none), or <c>bad_request</c> when it is not allowed: an empty one
    /// is refused as documented (1–64 characters), not read as none.
    /// </summary>
    private static string CheckedType(string? eventType)
    {
        var type = eventType ?? MessageTypes.Message;
        if (!IsValidEventType(type))
        {
            throw HubbubException.BadRequest(
                $"event '{ClientText.Truncate(type)}' is not allowed: use 1-64 of letters, digits, '_', '.', '-', ':' and no core message type");
        }
        return type;
    }

    internal ChannelName Parse(string? channel) => ChannelName.ParseOrRefuse(channel, _options.MaxChannelLength);

    private static bool IsValidEventType(string type)
    {
        if (type.Length is 0 or > 64 || MessageTypes.IsReserved(type))
        {
            return false;
        }
        foreach (var c in type)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' or ':'))
            {
                return false;
            }
        }
        return true;
    }
}
