using System.Globalization;
using System.Text;
using System.Text.Json;
using Hubbub.Features.Kit.Outbox;
using Hubbub.Storage;

namespace Hubbub.Features.Kit.Webhooks;

/// <summary>The webhook SQL, portable between SQLite and PostgreSQL.</summary>
internal static class WebhookStore
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Dead = "dead";

    private const string DeliveryColumns =
        """
        id AS Id, endpoint_id AS EndpointId, event_id AS EventId, event_type AS EventType, state AS State, attempts AS Attempts,
        due_ms AS DueMs, last_status AS LastStatus, last_error AS LastError, created_ms AS CreatedMs, last_attempt_ms AS LastAttemptMs,
        delivered_ms AS DeliveredMs
        """;

    // ---- recording, inside the transaction that raises the event ----

    /// <summary>
    /// The endpoints subscribed to <paramref name="type"/>: by its exact name, by a prefix pattern (<c>auction.*</c>) or
    /// by <c>*</c>. One indexed read; what an event costs when no endpoint listens.
    /// </summary>
    public static async Task<List<long>> SubscribersAsync(DatabaseTransaction tx, string type, CancellationToken ct)
    {
        var parameters = new Dapper.DynamicParameters();
        var names = PatternList(AddPatterns(parameters, type));
        return (await tx.QueryAsync<long>($"SELECT DISTINCT endpoint_id FROM webhook_subscriptions WHERE event_type IN ({names}) ORDER BY endpoint_id",
            parameters, ct)).ToList();
    }

    /// <summary>
    /// Adds the patterns matching <paramref name="type"/> (<see cref="PatternsMatching"/>) as parameters <c>@wp0</c>…, one
    /// named parameter each (list parameters expand differently on the two engines); answers how many.
    /// </summary>
    internal static int AddPatterns(Dapper.DynamicParameters parameters, string type)
    {
        var patterns = PatternsMatching(type);
        for (var i = 0; i < patterns.Count; i++)
        {
            parameters.Add("wp" + i.ToString(CultureInfo.InvariantCulture), patterns[i]);
        }
        return patterns.Count;
    }

    /// <summary>
    /// An expression, 1 when an endpoint subscribes to a type whose <paramref name="patterns"/> patterns were added by
    /// <see cref="AddPatterns"/>, else 0: the same indexed read as <see cref="SubscribersAsync"/>, as a part of another
    /// statement (the raise's insert) where the answer is nearly always 0.
    /// </summary>
    internal static string SubscribedSql(int patterns) =>
        $"CASE WHEN EXISTS (SELECT 1 FROM webhook_subscriptions WHERE event_type IN ({PatternList(patterns)})) THEN 1 ELSE 0 END";

    /// <summary>The parameter list <c>@wp0, @wp1, …</c> of <paramref name="patterns"/> patterns added by <see cref="AddPatterns"/>.</summary>
    private static string PatternList(int patterns) =>
        string.Join(", ", Enumerable.Range(0, patterns).Select(i => "@wp" + i.ToString(CultureInfo.InvariantCulture)));

    /// <summary>One pending delivery per endpoint of the event, due at once, with the body every attempt sends.</summary>
    public static async Task RecordAsync(DatabaseTransaction tx, IReadOnlyList<long> endpoints, long eventId, string type, string data, long now,
        CancellationToken ct)
    {
        var body = Body(eventId, type, data, now);
        foreach (var endpoint in endpoints)
        {
            await tx.ExecuteAsync(
                """
                INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, body, state, due_ms, created_ms)
                VALUES (@endpoint, @eventId, @type, @body, 'pending', @now, @now)
                """, new { endpoint, eventId, type, body, now }, ct);
        }
    }

    /// <summary>The patterns that match <paramref name="type"/>: <c>*</c>, each dotted prefix with <c>.*</c>, and itself.</summary>
    internal static List<string> PatternsMatching(string type)
    {
        var patterns = new List<string> { "*", type };
        for (var dot = type.IndexOf('.', StringComparison.Ordinal); dot > 0; dot = type.IndexOf('.', dot + 1))
        {
            patterns.Add(type[..(dot + 1)] + "*");
        }
        return patterns;
    }

    /// <summary>The body: <c>{"id","type","created_at","data"}</c>, the event's data written as it was stored.</summary>
    private static string Body(long eventId, string type, string data, long now)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("id", WebhookFormat.Id(eventId));
            writer.WriteString("type", type);
            writer.WriteString("created_at", WebhookFormat.Time(now));
            writer.WritePropertyName("data");
            writer.WriteRawValue(data);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    // ---- endpoints ----

    public static Task<long> CountEndpointsAsync(DatabaseTransaction tx, CancellationToken ct) =>
        tx.QuerySingleAsync<long>("SELECT COUNT(*) FROM webhook_endpoints", null, ct);

    public static Task<long> InsertEndpointAsync(DatabaseTransaction tx, string url, string secret, string? description, long now, CancellationToken ct) =>
        tx.QuerySingleAsync<long>(
            "INSERT INTO webhook_endpoints (url, secret, description, created_ms, updated_ms) VALUES (@url, @secret, @description, @now, @now) RETURNING id",
            new { url, secret, description, now }, ct);

    public static async Task UpdateEndpointAsync(DatabaseTransaction tx, EndpointRow row, long now, CancellationToken ct) =>
        await tx.ExecuteAsync("UPDATE webhook_endpoints SET url = @Url, secret = @Secret, description = @Description, updated_ms = @now WHERE id = @Id",
            new { row.Url, row.Secret, row.Description, row.Id, now }, ct);

    public static async Task SetEventsAsync(DatabaseTransaction tx, long endpoint, IReadOnlyList<string> events, CancellationToken ct)
    {
        await tx.ExecuteAsync("DELETE FROM webhook_subscriptions WHERE endpoint_id = @endpoint", new { endpoint }, ct);
        foreach (var type in events)
        {
            await tx.ExecuteAsync("INSERT INTO webhook_subscriptions (event_type, endpoint_id) VALUES (@type, @endpoint)", new { type, endpoint }, ct);
        }
    }

    /// <summary>Deletes an endpoint with its subscriptions and deliveries; false when there was none.</summary>
    public static async Task<bool> DeleteEndpointAsync(DatabaseTransaction tx, long endpoint, CancellationToken ct)
    {
        await tx.ExecuteAsync("DELETE FROM webhook_subscriptions WHERE endpoint_id = @endpoint", new { endpoint }, ct);
        await tx.ExecuteAsync("DELETE FROM webhook_deliveries WHERE endpoint_id = @endpoint", new { endpoint }, ct);
        return await tx.ExecuteAsync("DELETE FROM webhook_endpoints WHERE id = @endpoint", new { endpoint }, ct) == 1;
    }

    public static Task<EndpointRow?> FindEndpointAsync(DatabaseTransaction tx, long endpoint, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<EndpointRow>(
            "SELECT id AS Id, url AS Url, secret AS Secret, description AS Description, created_ms AS CreatedMs, updated_ms AS UpdatedMs FROM webhook_endpoints WHERE id = @endpoint",
            new { endpoint }, ct);

    public static async Task<List<EndpointRow>> EndpointsAsync(DatabaseTransaction tx, int limit, CancellationToken ct) =>
        (await tx.QueryAsync<EndpointRow>(
            "SELECT id AS Id, url AS Url, secret AS Secret, description AS Description, created_ms AS CreatedMs, updated_ms AS UpdatedMs FROM webhook_endpoints ORDER BY id LIMIT @limit",
            new { limit }, ct)).ToList();

    public static async Task<ILookup<long, string>> EventsAsync(DatabaseTransaction tx, IReadOnlyCollection<long> endpoints, CancellationToken ct) =>
        endpoints.Count == 0 ? Array.Empty<string>().ToLookup(_ => 0L)
        : (await tx.QueryAsync<(long EndpointId, string EventType)>(
            $"SELECT endpoint_id, event_type FROM webhook_subscriptions WHERE endpoint_id IN ({OutboxStore.InList(endpoints)}) ORDER BY event_type",
            null, ct)).ToLookup(r => r.EndpointId, r => r.EventType);

    // ---- deliveries, as the admin sees them ----

    public static async Task<List<DeliveryRow>> DeliveriesAsync(DatabaseTransaction tx, long endpoint, string? state, long? before, int limit,
        CancellationToken ct) =>
        (await tx.QueryAsync<DeliveryRow>(
            // Conditions added only when given: a typeless NULL parameter is an error on PostgreSQL.
            $"""
            SELECT {DeliveryColumns} FROM webhook_deliveries
            WHERE endpoint_id = @endpoint{(state is null ? "" : " AND state = @state")}{(before is null ? "" : " AND id < @before")}
            ORDER BY id DESC LIMIT @limit
            """, new { endpoint, state, before, limit }, ct)).ToList();

    public static Task<DeliveryRow?> FindDeliveryAsync(DatabaseTransaction tx, long delivery, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<DeliveryRow>($"SELECT {DeliveryColumns} FROM webhook_deliveries WHERE id = @delivery", new { delivery }, ct);

    /// <summary>A dead letter back to pending, due now, with a fresh run of attempts; false when it is not dead.</summary>
    public static async Task<bool> ReplayAsync(DatabaseTransaction tx, long delivery, long now, CancellationToken ct) =>
        await tx.ExecuteAsync(
            "UPDATE webhook_deliveries SET state = 'pending', attempts = 0, due_ms = @now, claim = NULL WHERE id = @delivery AND state = 'dead'",
            new { delivery, now }, ct) == 1;

    // ---- the sender ----

    /// <summary>
    /// Claims up to <paramref name="limit"/> due pending deliveries until <paramref name="until"/> (their <c>due_ms</c>
    /// becomes the claim's expiry, so a node that dies mid-attempt leaves them to any node after it). The condition is
    /// repeated outside the subquery so that on PostgreSQL a row another node claimed meanwhile is re-checked and
    /// skipped: one node at a time sends each delivery.
    /// </summary>
    public static async Task<List<ClaimedDelivery>> ClaimAsync(IDatabase database, string claim, long now, long until, int limit, CancellationToken ct)
    {
        if (!await KitClaims.AnyClaimableAsync(database, "webhook_deliveries", "state = 'pending' AND due_ms <= @now", now, ct))
        {
            return [];
        }
        return await database.InTransactionAsync(async tx =>
        {
            await tx.ExecuteAsync(
                """
                UPDATE webhook_deliveries SET claim = @claim, due_ms = @until
                WHERE state = 'pending' AND due_ms <= @now AND id IN (
                    SELECT id FROM webhook_deliveries WHERE state = 'pending' AND due_ms <= @now ORDER BY due_ms, id LIMIT @limit)
                """, new { claim, now, until, limit }, ct);
            return (await tx.QueryAsync<ClaimedDelivery>(
                """
                SELECT d.id AS Id, d.endpoint_id AS EndpointId, d.event_id AS EventId, d.event_type AS EventType, d.body AS Body,
                       d.attempts AS Attempts, e.url AS Url, e.secret AS Secret
                FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
                WHERE d.claim = @claim AND d.state = 'pending' ORDER BY d.id
                """, new { claim }, ct)).ToList();
        }, ct);
    }

    /// <summary>
    /// Marks a delivery delivered if this node still holds its claim (false otherwise). Its <c>due_ms</c> becomes the
    /// delivery time, which the pruning reads through the (state, due_ms) index.
    /// </summary>
    public static async Task<bool> DeliveredAsync(IDatabase database, long id, string claim, int status, long now, CancellationToken ct) =>
        await database.InTransactionAsync(tx => tx.ExecuteAsync(
            """
            UPDATE webhook_deliveries SET state = 'delivered', attempts = attempts + 1, claim = NULL, due_ms = @now, last_status = @status,
                last_error = NULL, last_attempt_ms = @now, delivered_ms = @now
            WHERE id = @id AND claim = @claim
            """, new { id, claim, status, now }, ct), ct) == 1;

    /// <summary>Counts a failed attempt: pending again from <paramref name="retryAt"/>, or dead.</summary>
    public static Task FailedAsync(IDatabase database, long id, string claim, bool dead, long retryAt, int? status, string error, long now,
        CancellationToken ct) =>
        database.InTransactionAsync(tx => tx.ExecuteAsync(
            """
            UPDATE webhook_deliveries SET state = @state, attempts = attempts + 1, claim = NULL, due_ms = @retryAt, last_status = @status,
                last_error = @error, last_attempt_ms = @now
            WHERE id = @id AND claim = @claim
            """, new { id, claim, state = dead ? Dead : Pending, retryAt, status, error = OutboxStore.Truncate(error), now }, ct), ct);

    /// <summary>Deletes deliveries delivered before <paramref name="cutoff"/>.</summary>
    public static Task<int> PruneAsync(IDatabase database, long cutoff, CancellationToken ct) =>
        database.InTransactionAsync(tx => tx.ExecuteAsync(
            "DELETE FROM webhook_deliveries WHERE state = 'delivered' AND due_ms < @cutoff", new { cutoff }, ct), ct);

    /// <summary>Pending and dead deliveries, and when the next pending one falls due (or its claim expires).</summary>
    public static Task<StateRow> StateAsync(IDatabase database, CancellationToken ct) =>
        database.ReadAsync(tx => tx.QuerySingleAsync<StateRow>(
            """
            SELECT COUNT(CASE WHEN state = 'pending' THEN 1 END) AS Pending, COUNT(CASE WHEN state = 'dead' THEN 1 END) AS Dead,
                   MIN(CASE WHEN state = 'pending' THEN due_ms END) AS NextMs
            FROM webhook_deliveries WHERE state <> 'delivered'
            """, null, ct), ct);

    internal sealed class EndpointRow
    {
        public long Id { get; set; }
        public string Url { get; set; } = "";
        public string Secret { get; set; } = "";
        public string? Description { get; set; }
        public long CreatedMs { get; set; }
        public long UpdatedMs { get; set; }
    }

    internal sealed class DeliveryRow
    {
        public long Id { get; set; }
        public long EndpointId { get; set; }
        public long EventId { get; set; }
        public string EventType { get; set; } = "";
        public string State { get; set; } = "";
        public long Attempts { get; set; }
        public long DueMs { get; set; }
        public long? LastStatus { get; set; }
        public string? LastError { get; set; }
        public long CreatedMs { get; set; }
        public long? LastAttemptMs { get; set; }
        public long? DeliveredMs { get; set; }
    }

    internal sealed class ClaimedDelivery
    {
        public long Id { get; set; }
        public long EndpointId { get; set; }
        public long EventId { get; set; }
        public string EventType { get; set; } = "";
        public string Body { get; set; } = "";
        public long Attempts { get; set; }
        public string Url { get; set; } = "";
        public string Secret { get; set; } = "";
    }

    internal sealed class StateRow
    {
        public long Pending { get; set; }
        public long Dead { get; set; }
        public long? NextMs { get; set; }
    }
}
