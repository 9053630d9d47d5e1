using System.Text.Json;
using Hubbub.Protocol;

namespace Hubbub.Client;

/// <summary>What a <see cref="HubbubEvent"/> is.</summary>
public enum HubbubEventKind
{
    /// <summary>A publication: it has an <see cref="HubbubEvent.Offset"/>, arrives in order, once, and is recovered after a reconnect.</summary>
    Publication,
    /// <summary>An ephemeral event with no offset (<c>typing</c>, <c>cursor</c>, <c>presence_join</c>, <c>presence_leave</c>): never recovered.</summary>
    Ephemeral,
    /// <summary>
    /// The client could not recover what was missed (the server answered <c>recovered:false</c>, or sent
    /// <c>stream_reset</c>): reload the channel's state (e.g. with <see cref="HubbubSubscription.HistoryAsync"/>).
    /// Publications after this one continue the new stream.
    /// </summary>
    ReloadRequired,
    /// <summary>
    /// The server ended the subscription because the user lost access (e.g. left the conversation): the last event
    /// of the subscription. <see cref="HubbubEvent.Type"/> is <c>unsubscribed</c> and <see cref="HubbubEvent.Data"/>
    /// <c>{"reason": "…"}</c> (also in <see cref="HubbubSubscription.EndReason"/>). The subscription is not restored
    /// after a reconnect, <see cref="HubbubSubscription.ReadAllAsync"/> completes, and later calls on it throw
    /// <see cref="HubbubRequestException"/> with code <c>forbidden</c>.
    /// </summary>
    Unsubscribed,
}

/// <summary>One thing that happened on a subscribed channel.</summary>
/// <param name="Kind">Publication, ephemeral event, reload signal or the server's end of the subscription.</param>
/// <param name="Channel">The channel.</param>
/// <param name="Type">The wire type: <c>message</c> or the publisher's event name, <c>typing</c>, <c>cursor</c>…; for <see cref="HubbubEventKind.ReloadRequired"/> <c>not_recovered</c> or <c>stream_reset</c>.</param>
/// <param name="Offset">The publication's offset in its epoch; null for ephemeral events.</param>
/// <param name="Epoch">The stream's epoch the offset belongs to.</param>
/// <param name="Data">The payload (<see cref="JsonValueKind.Undefined"/> when absent).</param>
/// <param name="From">The publishing user; null for server publications and reload signals.</param>
public sealed record HubbubEvent(
    HubbubEventKind Kind,
    string Channel,
    string Type,
    long? Offset,
    string? Epoch,
    JsonElement Data,
    ClientInfo? From)
{
    /// <summary><see cref="Type"/> of a reload signal caused by <c>recovered:false</c>.</summary>
    public const string NotRecovered = "not_recovered";

    /// <summary>Deserializes <see cref="Data"/>.</summary>
    public T? DataAs<T>(JsonSerializerOptions? options = null) => Data.Deserialize<T>(options ?? JsonSerializerOptions.Web);
}

/// <summary>Reply of <see cref="HubbubSubscription.HistoryAsync"/>.</summary>
/// <param name="Publications">Oldest first.</param>
/// <param name="Offset">The channel's latest offset.</param>
/// <param name="Epoch">The channel's epoch.</param>
public sealed record HubbubHistory(IReadOnlyList<HubbubEvent> Publications, long Offset, string Epoch)
{
    /// <summary>
    /// True when more publications were asked for than fit the server's reply budget (<c>Hubbub:MaxHistoryReplyBytes</c>):
    /// <see cref="Publications"/> holds the oldest of them; ask again with <c>since</c> the last one's offset for the rest.
    /// </summary>
    public bool Truncated { get; init; }
}
