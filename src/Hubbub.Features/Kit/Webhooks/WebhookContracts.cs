using System.Text.Json.Serialization;

namespace Hubbub.Features.Kit.Webhooks;

/// <summary>
/// <c>POST /api/webhooks</c> (<c>url</c> and <c>events</c> required) and <c>PATCH /api/webhooks/{id}</c> (fields left out
/// stay as they are; <c>rotate_secret: true</c> draws a new secret).
/// </summary>
/// <param name="Url">Where events are POSTed: an absolute http(s) URL without user info or fragment.</param>
/// <param name="Events">Event types to send: exact names (<c>auction.won</c>), a prefix pattern (<c>auction.*</c>) or <c>*</c> for all.</param>
/// <param name="Secret">A <c>whsec_</c> secret of one's own; drawn at random when left out.</param>
/// <param name="Description">A note for admins (at most 500 characters).</param>
/// <param name="RotateSecret">PATCH only: replace the secret with a new random one.</param>
public sealed record WebhookRequest(
    [property: JsonPropertyName("url")] string? Url,
    [property: JsonPropertyName("events")] IReadOnlyList<string>? Events,
    [property: JsonPropertyName("secret")] string? Secret,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("rotate_secret")] bool? RotateSecret);

/// <summary>A registered endpoint.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Url">Where events go.</param>
/// <param name="Events">The event types and patterns it subscribes to, sorted.</param>
/// <param name="Description">The admins' note, or null.</param>
/// <param name="Secret">The signing secret: shown by create, get and patch, left out of lists.</param>
/// <param name="CreatedAt">When it was registered.</param>
/// <param name="UpdatedAt">When it last changed.</param>
public sealed record WebhookView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("events")] IReadOnlyList<string> Events,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("secret"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Secret,
    [property: JsonPropertyName("created_at")] DateTime CreatedAt,
    [property: JsonPropertyName("updated_at")] DateTime UpdatedAt);

/// <summary>Every endpoint (at most <c>Webhooks:MaxEndpoints</c>), oldest first.</summary>
public sealed record WebhookList([property: JsonPropertyName("webhooks")] IReadOnlyList<WebhookView> Webhooks);

/// <summary>One event on its way to one endpoint.</summary>
/// <param name="Id">The delivery's id (for replay).</param>
/// <param name="Webhook">The endpoint's id.</param>
/// <param name="EventId">The event's id: the body's <c>id</c> and the <c>webhook-id</c> header.</param>
/// <param name="EventType">The event's type.</param>
/// <param name="State"><c>pending</c>, <c>delivered</c> or <c>dead</c>.</param>
/// <param name="Attempts">Attempts made.</param>
/// <param name="LastStatus">The HTTP status of the last attempt, null when it got none (timeout, refused connection).</param>
/// <param name="LastError">Why the last attempt failed, null when it did not.</param>
/// <param name="CreatedAt">When the event was recorded.</param>
/// <param name="LastAttemptAt">When the last attempt was made, null before the first.</param>
/// <param name="NextAttemptAt">When the next attempt is due (pending only).</param>
/// <param name="DeliveredAt">When the endpoint answered 2xx (delivered only).</param>
public sealed record DeliveryView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("webhook")] string Webhook,
    [property: JsonPropertyName("event_id")] string EventId,
    [property: JsonPropertyName("event_type")] string EventType,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("attempts")] int Attempts,
    [property: JsonPropertyName("last_status")] int? LastStatus,
    [property: JsonPropertyName("last_error")] string? LastError,
    [property: JsonPropertyName("created_at")] DateTime CreatedAt,
    [property: JsonPropertyName("last_attempt_at")] DateTime? LastAttemptAt,
    [property: JsonPropertyName("next_attempt_at")] DateTime? NextAttemptAt,
    [property: JsonPropertyName("delivered_at")] DateTime? DeliveredAt);

/// <summary>An endpoint's deliveries, newest first, paged with <c>before</c>.</summary>
public sealed record DeliveryList(
    [property: JsonPropertyName("deliveries")] IReadOnlyList<DeliveryView> Deliveries,
    [property: JsonPropertyName("next_cursor")] string? NextCursor);

/// <summary>Source-generated JSON of the webhook API.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(WebhookRequest))]
[JsonSerializable(typeof(WebhookView))]
[JsonSerializable(typeof(WebhookList))]
[JsonSerializable(typeof(DeliveryView))]
[JsonSerializable(typeof(DeliveryList))]
public sealed partial class WebhooksJsonContext : JsonSerializerContext;
