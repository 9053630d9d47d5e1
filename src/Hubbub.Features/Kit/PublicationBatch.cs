using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Hubbub.Features.Kit.Notifications;
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
    internal List<(OutboxRow Row, NewNotification? Notice)> Entries { get; } = [];

    /// <summary>Publications and notifications added so far.</summary>
    public int Count => Entries.Count;

    /// <summary>Publishes <paramref name="data"/> as <paramref name="eventType"/> on <paramref name="channel"/> after the commit (as <see cref="FeatureTransaction.PublishAsync{T}"/>).</summary>
    public void Publish<T>(string channel, string eventType, T data, JsonTypeInfo<T> info) =>
        Entries.Add((new OutboxRow { Channel = channel, EventType = eventType, Data = JsonSerializer.Serialize(data, info) }, null));

    /// <summary>
    /// As <see cref="Publish{T}"/> with <paramref name="json"/> serialized by the caller: for one that serializes the same
    /// data for <see cref="PublishAndNotify"/> when it keeps it, and publishes it alone when not (gamification's <c>overtaken</c>).
    /// </summary>
    internal void Publish(string channel, string eventType, string json) =>
        Entries.Add((new OutboxRow { Channel = channel, EventType = eventType, Data = json }, null));

    /// <summary>Keeps a notification in <paramref name="user"/>'s inbox and publishes it live at this place in the order (as <see cref="FeatureTransaction.NotifyAsync{T}"/>).</summary>
    public void Notify<T>(string user, string type, T data, JsonTypeInfo<T> info) => Notify(user, type, data, info, replaces: null);

    /// <summary>
    /// As <see cref="Notify{T}(string, string, T, JsonTypeInfo{T})"/>, and the new notification replaces the user's one
    /// of the same <paramref name="replaces"/> key while that one is unread (a read one stays): one unread notification
    /// per key in the inbox (gamification's latest <c>overtaken</c> per board), kept as one row per user and key that the
    /// batch's one upsert overwrites in place (<c>kit_notifications_keyed</c>), instead of a table of the feature's own
    /// that it reads and updates. Of two of one user and key in a batch the later is kept. Null: replaces nothing.
    /// </summary>
    public void Notify<T>(string user, string type, T data, JsonTypeInfo<T> info, string? replaces) =>
        Notify(user, FeatureTransaction.UserChannel(user), type, JsonSerializer.Serialize(data, info), replaces, NotificationJson.IsCanonical(info.Options));

    /// <summary>
    /// Publishes <paramref name="json"/> (serialized by the caller) live on <paramref name="userChannel"/> and keeps it as
    /// a notification of <paramref name="user"/> (whose channel that is), as <see cref="Notify{T}(string, string, T, JsonTypeInfo{T}, string?)"/>
    /// does with the same data: for a caller that publishes the same data as an event too, which then serializes it and
    /// builds the channel's name once for both (gamification's <c>overtaken</c>, ~10 per event). <paramref name="json"/>
    /// must be compact and default-escaped (<see cref="NotificationJson.IsCanonical"/>), as the kit's contexts write it.
    /// </summary>
    internal void PublishAndNotify(string user, string userChannel, string eventType, string json, string? replaces)
    {
        Entries.Add((new OutboxRow { Channel = userChannel, EventType = eventType, Data = json }, null));
        Notify(user, userChannel, eventType, json, replaces, canonical: true);
    }

    private void Notify(string user, string userChannel, string type, string json, string? replaces, bool canonical) =>
        Entries.Add((new OutboxRow { Channel = userChannel, EventType = NotificationView.EventType }, new NewNotification(user, type, json, replaces, canonical)));
}
