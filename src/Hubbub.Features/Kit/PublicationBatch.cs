using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Hubbub.Features.Kit.Outbox;

namespace Hubbub.Features.Kit;

/// <summary>
/// Publications and notifications collected in order, to be written together by
/// <see cref="FeatureTransaction.PublishBatchAsync"/>: the notifications in one statement, every publication (a
/// notification's live one at its place) in one more, instead of one statement per publication and two per
/// notification. For a write that causes many events at once (gamification's effects of one event).
/// </summary>
public sealed class PublicationBatch
{
    internal List<(OutboxRow Row, (string User, string Type, string Data)? Notice)> Entries { get; } = [];

    /// <summary>Publications and notifications added so far.</summary>
    public int Count => Entries.Count;

    /// <summary>Publishes <paramref name="data"/> as <paramref name="eventType"/> on <paramref name="channel"/> after the commit (as <see cref="FeatureTransaction.PublishAsync{T}"/>).</summary>
    public void Publish<T>(string channel, string eventType, T data, JsonTypeInfo<T> info) =>
        Entries.Add((new OutboxRow { Channel = channel, EventType = eventType, Data = JsonSerializer.Serialize(data, info) }, null));

    /// <summary>Keeps a notification in <paramref name="user"/>'s inbox and publishes it live at this place in the order (as <see cref="FeatureTransaction.NotifyAsync{T}"/>).</summary>
    public void Notify<T>(string user, string type, T data, JsonTypeInfo<T> info) =>
        Entries.Add((new OutboxRow { Channel = FeatureTransaction.UserChannel(user), EventType = Notifications.NotificationView.EventType },
            (user, type, JsonSerializer.Serialize(data, info))));
}
