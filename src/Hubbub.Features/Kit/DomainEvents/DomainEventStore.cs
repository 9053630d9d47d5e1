using System.Globalization;
using Hubbub.Features.Kit.Outbox;
using Hubbub.Storage;

namespace Hubbub.Features.Kit.DomainEvents;

/// <summary>The domain-event SQL: events, and one pending handling per handler until its effect commits (then deleted).</summary>
internal static class DomainEventStore
{
    /// <summary>
    /// Stores an event and its pending handlings. With <paramref name="askWebhooks"/>, the same statement answers whether
    /// any webhook endpoint subscribes to its type (<see cref="Webhooks.WebhookStore.SubscribedSql"/>): what nearly every
    /// raise finds is "none", and asking inside the insert spares the writer a statement per raise (one per
    /// <c>POST /api/events</c>). It reads the subscriptions in the same transaction as the read it replaces did.
    /// </summary>
    public static async Task<(long Id, bool Subscribed)> InsertAsync(DatabaseTransaction tx, string type, string data, long now,
        IReadOnlyList<string> handlers, bool askWebhooks, CancellationToken ct)
    {
        long id;
        var subscribed = false;
        if (askWebhooks)
        {
            var parameters = new Dapper.DynamicParameters(new { type, data, now });
            var patterns = Webhooks.WebhookStore.AddPatterns(parameters, type);
            var row = await tx.QuerySingleAsync<InsertedRow>(InsertAskingSql(patterns), parameters, ct);
            (id, subscribed) = (row.Id, row.Subscribed != 0);
        }
        else
        {
            id = await tx.QuerySingleAsync<long>(
                "INSERT INTO kit_domain_events (type, data, created_ms) VALUES (@type, @data, @now) RETURNING id", new { type, data, now }, ct);
        }
        if (handlers.Count > 0)
        {
            // One statement for every handler's pending handling (gamification and social both handle every event).
            var parameters = new Dapper.DynamicParameters();
            parameters.Add("id", id);
            for (var i = 0; i < handlers.Count; i++)
            {
                parameters.Add("h" + i.ToString(CultureInfo.InvariantCulture), handlers[i]);
            }
            await tx.ExecuteAsync(HandlingsSql(handlers.Count), parameters, ct);
        }
        return (id, subscribed);
    }

    private static readonly string[] InsertAskingSqlByCount = new string[9];

    // One text per count of type patterns (a type's dots + 2), so the writer's statement cache keeps them compiled.
    private static string InsertAskingSql(int patterns) => patterns < InsertAskingSqlByCount.Length
        ? InsertAskingSqlByCount[patterns] ??= BuildInsertAskingSql(patterns)
        : BuildInsertAskingSql(patterns);

    private static string BuildInsertAskingSql(int patterns) =>
        "INSERT INTO kit_domain_events (type, data, created_ms) VALUES (@type, @data, @now) RETURNING id AS Id, "
        + Webhooks.WebhookStore.SubscribedSql(patterns) + " AS Subscribed";

    // Settable properties: SQLite returns every integer as 64-bit, PostgreSQL the CASE's as 32-bit; Dapper converts both.
    private sealed class InsertedRow
    {
        public long Id { get; set; }
        public long Subscribed { get; set; }
    }

    private static readonly string[] HandlingsSqlByCount = new string[9];

    // One text per handler count, so the writer's statement cache keeps them compiled.
    private static string HandlingsSql(int count) => count < HandlingsSqlByCount.Length
        ? HandlingsSqlByCount[count] ??= BuildHandlingsSql(count)
        : BuildHandlingsSql(count);

    private static string BuildHandlingsSql(int count) => "INSERT INTO kit_event_handlings (event_id, handler) VALUES "
        + string.Join(", ", Enumerable.Range(0, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"(@id, @h{i})")));

    /// <summary>A pending handling of a stored event, for the dispatcher to run after the commit.</summary>
    public static Task AddHandlingAsync(DatabaseTransaction tx, long id, string handler, CancellationToken ct) =>
        tx.ExecuteAsync("INSERT INTO kit_event_handlings (event_id, handler) VALUES (@id, @handler)", new { id, handler }, ct);

    /// <summary>Claims pending handlings whose claim expired (see <see cref="OutboxStore.ClaimAsync"/> for why the condition is repeated).</summary>
    public static async Task<List<HandlingRow>> ClaimAsync(IDatabase database, string claim, long now, long until, int limit, CancellationToken ct)
    {
        // A read first, which takes no write lock: most sweeps find nothing, and must not queue behind writers for that.
        if (!await KitClaims.AnyClaimableAsync(database, "kit_event_handlings", "claimed_until_ms <= @now", now, ct))
        {
            return [];
        }
        return await database.InTransactionAsync(async tx =>
        {
            await tx.ExecuteAsync(
                """
                UPDATE kit_event_handlings SET claim = @claim, claimed_until_ms = @until
                WHERE claimed_until_ms <= @now AND (event_id, handler) IN (
                    SELECT event_id, handler FROM kit_event_handlings WHERE claimed_until_ms <= @now ORDER BY event_id LIMIT @limit)
                """, new { claim, now, until, limit }, ct);
            return (await tx.QueryAsync<HandlingRow>(
                """
                SELECT h.event_id AS EventId, h.handler AS Handler, h.attempts AS Attempts, e.type AS Type, e.data AS Data
                FROM kit_event_handlings h JOIN kit_domain_events e ON e.id = h.event_id
                WHERE h.claim = @claim ORDER BY h.event_id, h.handler
                """, new { claim }, ct)).ToList();
        }, ct);
    }

    /// <summary>The handled mark: deletes the handling if this node still holds its claim; false when it lost it.</summary>
    public static async Task<bool> MarkHandledAsync(DatabaseTransaction tx, long eventId, string handler, string claim, CancellationToken ct) =>
        await tx.ExecuteAsync("DELETE FROM kit_event_handlings WHERE event_id = @eventId AND handler = @handler AND claim = @claim",
            new { eventId, handler, claim }, ct) == 1;

    public static Task FailAsync(IDatabase database, long eventId, string handler, long retryAt, string error, CancellationToken ct) =>
        database.InTransactionAsync(tx => tx.ExecuteAsync(
            """
            UPDATE kit_event_handlings SET attempts = attempts + 1, claim = NULL, claimed_until_ms = @retryAt, last_error = @error
            WHERE event_id = @eventId AND handler = @handler
            """, new { eventId, handler, retryAt, error = OutboxStore.Truncate(error) }, ct), ct);

    /// <summary>Pending handlings failed at least <paramref name="stuckAfter"/> times, and when the next claim expires.</summary>
    public static Task<(long Stuck, long? NextMs)> StateAsync(IDatabase database, int stuckAfter, CancellationToken ct) =>
        database.ReadAsync(async tx =>
        {
            var row = await tx.QuerySingleAsync<StateRow>(
                "SELECT COUNT(CASE WHEN attempts >= @stuckAfter THEN 1 END) AS Stuck, MIN(claimed_until_ms) AS NextMs FROM kit_event_handlings",
                new { stuckAfter }, ct);
            return (row.Stuck, row.NextMs);
        }, ct);

    internal sealed class HandlingRow
    {
        public long EventId { get; set; }
        public string Handler { get; set; } = "";
        public long Attempts { get; set; }
        public string Type { get; set; } = "";
        public string Data { get; set; } = "";
    }

    private sealed class StateRow
    {
        public long Stuck { get; set; }
        public long? NextMs { get; set; }
    }
}
