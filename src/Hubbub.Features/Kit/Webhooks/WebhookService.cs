using Hubbub.Core;
using Hubbub.Features.Kit.Text;
using Hubbub.Protocol;
using Microsoft.Extensions.Options;

namespace Hubbub.Features.Kit.Webhooks;

/// <summary>
/// What the admin API does: registers, changes and removes endpoints, lists an endpoint's deliveries and replays dead
/// letters. Every input is checked here (the endpoints only bind), so the rules live in one place.
/// </summary>
public sealed class WebhookService(FeatureDatabase database, IOptions<WebhooksOptions> options, KitSignals signals)
{
    private const int MaxDescriptionLength = 500;
    private const int MaxEventTypeLength = 100;
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 100;

    private WebhooksOptions Options => options.Value;

    /// <summary>Registers an endpoint; its secret (given or drawn) is in the answer.</summary>
    public async Task<WebhookView> CreateAsync(WebhookRequest request, CancellationToken ct)
    {
        var url = ValidUrl(request.Url ?? throw Invalid("invalid_url", "'url' is required"));
        var events = ValidEvents(request.Events ?? throw Invalid("invalid_event", "'events' is required"));
        var secret = request.Secret is null ? WebhookSignature.NewSecret() : ValidSecret(request.Secret);
        var description = ValidDescription(request.Description);
        if (request.RotateSecret is not null)
        {
            throw HubbubException.BadRequest("'rotate_secret' is for PATCH only");
        }
        var id = await database.WriteAsync(async tx =>
        {
            if (await WebhookStore.CountEndpointsAsync(tx, ct) >= Options.MaxEndpoints)
            {
                throw new HubbubException(ErrorCodes.Conflict, "too_many_webhooks", $"at most {Options.MaxEndpoints} webhooks may be registered (Webhooks:MaxEndpoints)");
            }
            var id = await WebhookStore.InsertEndpointAsync(tx, url, secret, description, tx.NowMs, ct);
            await WebhookStore.SetEventsAsync(tx, id, events, ct);
            return id;
        }, ct);
        return await GetAsync(WebhookFormat.Id(id), ct);
    }

    /// <summary>Every endpoint, oldest first, without secrets.</summary>
    public Task<WebhookList> ListAsync(CancellationToken ct) =>
        database.ReadAsync(async tx =>
        {
            var rows = await WebhookStore.EndpointsAsync(tx, Options.MaxEndpoints, ct);
            var events = await WebhookStore.EventsAsync(tx, rows.Select(r => r.Id).ToList(), ct);
            return new WebhookList(rows.Select(r => View(r, events[r.Id].ToList(), withSecret: false)).ToList());
        }, ct);

    /// <summary>One endpoint with its secret.</summary>
    public Task<WebhookView> GetAsync(string id, CancellationToken ct)
    {
        var endpoint = ParseId(id, "webhook");
        return database.ReadAsync(async tx =>
        {
            var row = await WebhookStore.FindEndpointAsync(tx, endpoint, ct) ?? throw HubbubException.NotFound("webhook not found");
            var events = await WebhookStore.EventsAsync(tx, [endpoint], ct);
            return View(row, events[endpoint].ToList(), withSecret: true);
        }, ct);
    }

    /// <summary>Changes the fields given; events recorded from now on follow the new subscriptions.</summary>
    public async Task<WebhookView> UpdateAsync(string id, WebhookRequest request, CancellationToken ct)
    {
        var endpoint = ParseId(id, "webhook");
        var url = request.Url is null ? null : ValidUrl(request.Url);
        var events = request.Events is null ? null : ValidEvents(request.Events);
        if (request.Secret is not null && request.RotateSecret == true)
        {
            throw HubbubException.BadRequest("give either 'secret' or 'rotate_secret', not both");
        }
        var secret = request.RotateSecret == true ? WebhookSignature.NewSecret() : request.Secret is null ? null : ValidSecret(request.Secret);
        var description = request.Description is null ? null : ValidDescription(request.Description);
        await database.WriteAsync(async tx =>
        {
            var row = await WebhookStore.FindEndpointAsync(tx, endpoint, ct) ?? throw HubbubException.NotFound("webhook not found");
            row.Url = url ?? row.Url;
            row.Secret = secret ?? row.Secret;
            // An empty description clears it.
            row.Description = request.Description is null ? row.Description : description;
            await WebhookStore.UpdateEndpointAsync(tx, row, tx.NowMs, ct);
            if (events is not null)
            {
                await WebhookStore.SetEventsAsync(tx, endpoint, events, ct);
            }
        }, ct);
        return await GetAsync(id, ct);
    }

    /// <summary>Removes an endpoint with its pending, delivered and dead deliveries.</summary>
    public async Task DeleteAsync(string id, CancellationToken ct)
    {
        var endpoint = ParseId(id, "webhook");
        if (!await database.WriteAsync(tx => WebhookStore.DeleteEndpointAsync(tx, endpoint, ct), ct))
        {
            throw HubbubException.NotFound("webhook not found");
        }
    }

    /// <summary>An endpoint's deliveries, newest first: all, or those in <paramref name="state"/>.</summary>
    public Task<DeliveryList> DeliveriesAsync(string id, string? state, string? before, int? limit, CancellationToken ct)
    {
        var endpoint = ParseId(id, "webhook");
        if (state is not (null or WebhookStore.Pending or WebhookStore.Delivered or WebhookStore.Dead))
        {
            throw HubbubException.BadRequest("'state' must be pending, delivered or dead");
        }
        var cursor = before is null ? (long?)null : WebhookFormat.Parse(before) ?? throw HubbubException.BadRequest("'before' is not a cursor this server issued");
        var size = limit ?? DefaultPageSize;
        if (size is < 1 or > MaxPageSize)
        {
            throw HubbubException.BadRequest($"'limit' must be between 1 and {MaxPageSize}");
        }
        return database.ReadAsync(async tx =>
        {
            _ = await WebhookStore.FindEndpointAsync(tx, endpoint, ct) ?? throw HubbubException.NotFound("webhook not found");
            var rows = await WebhookStore.DeliveriesAsync(tx, endpoint, state, cursor, size + 1, ct);
            var page = rows.Take(size).Select(View).ToList();
            return new DeliveryList(page, rows.Count > size ? page[^1].Id : null);
        }, ct);
    }

    /// <summary>Sends a dead letter again, from a fresh run of attempts; a delivery that is not dead is <c>conflict</c> (<c>not_dead</c>).</summary>
    public async Task<DeliveryView> ReplayAsync(string id, CancellationToken ct)
    {
        var delivery = ParseId(id, "delivery");
        var row = await database.WriteAsync(async tx =>
        {
            var row = await WebhookStore.FindDeliveryAsync(tx, delivery, ct) ?? throw HubbubException.NotFound("delivery not found");
            if (!await WebhookStore.ReplayAsync(tx, delivery, tx.NowMs, ct))
            {
                throw new HubbubException(ErrorCodes.Conflict, "not_dead", $"only a dead delivery can be replayed; this one is {row.State}");
            }
            return await WebhookStore.FindDeliveryAsync(tx, delivery, ct);
        }, ct);
        signals.Webhooks.Signal();
        return View(row!);
    }

    private static WebhookView View(WebhookStore.EndpointRow row, IReadOnlyList<string> events, bool withSecret) =>
        new(WebhookFormat.Id(row.Id), row.Url, events, row.Description, withSecret ? row.Secret : null,
            WebhookFormat.Time(row.CreatedMs), WebhookFormat.Time(row.UpdatedMs));

    private static DeliveryView View(WebhookStore.DeliveryRow row) =>
        new(WebhookFormat.Id(row.Id), WebhookFormat.Id(row.EndpointId), WebhookFormat.Id(row.EventId), row.EventType, row.State, (int)row.Attempts,
            (int?)row.LastStatus, row.LastError, WebhookFormat.Time(row.CreatedMs), WebhookFormat.Time(row.LastAttemptMs),
            row.State == WebhookStore.Pending ? WebhookFormat.Time(row.DueMs) : null, WebhookFormat.Time(row.DeliveredMs));

    private static long ParseId(string id, string what) =>
        WebhookFormat.Parse(id) ?? throw HubbubException.NotFound($"{what} not found");

    private string ValidUrl(string url)
    {
        if (url.Length > Options.MaxUrlLength)
        {
            throw new HubbubException(ErrorCodes.TooLarge, "invalid_url", $"'url' is longer than {Options.MaxUrlLength} characters");
        }
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            throw Invalid("invalid_url", "'url' must be an absolute http or https URL");
        }
        if (uri.Scheme != Uri.UriSchemeHttps && (uri.Scheme != Uri.UriSchemeHttp || Options.RequireHttps))
        {
            throw Invalid("invalid_url", Options.RequireHttps ? "'url' must be https (Webhooks:RequireHttps)" : "'url' must be http or https");
        }
        if (uri.UserInfo.Length > 0 || uri.Fragment.Length > 0)
        {
            // Credentials would show in every listing; a fragment is never sent.
            throw Invalid("invalid_url", "'url' must not contain user info or a fragment");
        }
        return uri.AbsoluteUri;
    }

    private List<string> ValidEvents(IReadOnlyList<string> events)
    {
        if (events.Count == 0)
        {
            throw Invalid("invalid_event", "'events' must name at least one event type (\"*\" for all)");
        }
        if (events.Count > Options.MaxEventsPerEndpoint)
        {
            throw new HubbubException(ErrorCodes.TooLarge, "invalid_event", $"'events' lists more than {Options.MaxEventsPerEndpoint} types (Webhooks:MaxEventsPerEndpoint)");
        }
        foreach (var type in events)
        {
            if (!IsEventPattern(type))
            {
                throw Invalid("invalid_event",
                    $"'events' must hold event types of 1-{MaxEventTypeLength} letters, digits, '_', '-' or '.', a prefix pattern like \"auction.*\", or \"*\"");
            }
        }
        return events.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>An event type as apps name theirs (letters, digits, '_', '-', '.'), <c>prefix.*</c>, or <c>*</c>.</summary>
    internal static bool IsEventPattern(string? type)
    {
        if (type is null || type.Length is 0 or > MaxEventTypeLength)
        {
            return false;
        }
        if (type == "*")
        {
            return true;
        }
        var name = type.EndsWith(".*", StringComparison.Ordinal) ? type[..^2] : type;
        return name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');
    }

    private static string ValidSecret(string secret) =>
        WebhookSignature.KeyOf(secret) is null
            ? throw Invalid("invalid_secret", "'secret' must be \"whsec_\" followed by the base64 of 24 to 64 random bytes (or left out to get one)")
            : secret;

    private static string? ValidDescription(string? description)
    {
        if (string.IsNullOrWhiteSpace(description))
        {
            return null;
        }
        description = description.Trim();
        if (description.Any(char.IsControl))
        {
            throw HubbubException.BadRequest("'description' must not contain control characters");
        }
        StoredText.Check(description, "description");
        return description.Length > MaxDescriptionLength
            ? throw HubbubException.TooLarge($"'description' is longer than {MaxDescriptionLength} characters")
            : description;
    }

    private static HubbubException Invalid(string reason, string message) => new(ErrorCodes.BadRequest, reason, message);
}
