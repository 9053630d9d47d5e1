using System.Text.Json;
using System.Text.Json.Serialization;
using Hubbub.Features.Kit.Callers;
using Hubbub.Features.Kit.Text;

namespace Hubbub.Features.Kit.Notifications;

/// <summary>One kept notification, as listed and as published live (event <c>notification</c> on <c>user:{id}</c>).</summary>
public sealed record NotificationView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("data")] JsonElement Data,
    [property: JsonPropertyName("created_at")] DateTime CreatedAt,
    [property: JsonPropertyName("read")] bool Read)
{
    /// <summary>The live event's type.</summary>
    public const string EventType = "notification";
}

/// <summary><c>GET /api/notifications</c>: newest first; <c>next_cursor</c> fetches older ones (null at the end).</summary>
public sealed record NotificationList(
    [property: JsonPropertyName("items")] IReadOnlyList<NotificationView> Items,
    [property: JsonPropertyName("unread_count")] long UnreadCount,
    [property: JsonPropertyName("next_cursor")] string? NextCursor);

/// <summary><c>notifications.list</c>: the query of <c>GET /api/notifications</c> as command data.</summary>
public sealed record NotificationQuery(
    [property: JsonPropertyName("unread")] bool? Unread = null,
    [property: JsonPropertyName("before")] string? Before = null,
    [property: JsonPropertyName("limit")] int? Limit = null,
    [property: JsonPropertyName("user")] string? User = null) : IActingRequest;

/// <summary><c>POST /api/notifications/read</c>: every notification up to and including <c>up_to</c> becomes read.</summary>
public sealed record MarkReadRequest(
    [property: JsonPropertyName("up_to"), JsonConverter(typeof(IdTextConverter))] string? UpTo,
    [property: JsonPropertyName("user")] string? User = null) : IActingRequest;

/// <summary>The answer to marking read: how many stay unread.</summary>
public sealed record UnreadCount([property: JsonPropertyName("unread_count")] long Count);

/// <summary>
/// A notification to keep (<see cref="PublicationBatch.Notify{T}(string, string, T, System.Text.Json.Serialization.Metadata.JsonTypeInfo{T}, string?)"/>):
/// its user, type, data as JSON, and the key of the unread notification it replaces, if any. <paramref name="Canonical"/>:
/// the data was serialized compact with the default encoder (as the kit serializes), so it can be written into the
/// live event as it is (<see cref="NotificationJson"/>).
/// </summary>
internal sealed record NewNotification(string User, string Type, string Data, string? Replaces = null, bool Canonical = false);

/// <summary>
/// What <see cref="NotificationStore.InsertEachAsync"/> kept: the ids in the order given, and how many unread notifications
/// they replaced. The views (<see cref="Views"/>) are made only when asked for: a batch's publishing writes each live event
/// from the stored parts (<see cref="NotificationJson"/>), and parsing every notice's data into a view was garbage.
/// </summary>
internal sealed record KeptNotifications(long[] Ids, int Replaced, IReadOnlyList<NewNotification> Items, long CreatedMs)
{
    /// <summary>The notifications kept as views, in the order given.</summary>
    public List<NotificationView> Views => [.. Items.Select((item, i) => NotificationStore.View(Ids[i], item.Type, item.Data, CreatedMs))];
}
