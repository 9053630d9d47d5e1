using Hubbub.Storage;

namespace Hubbub.Features.Kit.Retention;

/// <summary>The pruning SQL.</summary>
internal static class RetentionStore
{
    /// <summary>Deletes done domain events and idempotency keys created before <paramref name="cutoffMs"/>; returns how many of each.</summary>
    public static async Task<(int Events, int Keys)> PruneAsync(DatabaseTransaction tx, long cutoffMs, CancellationToken ct)
    {
        // An event with a pending handling (not yet handled, or failing) stays: its handler still needs it.
        var events = await tx.ExecuteAsync(
            """
            DELETE FROM kit_domain_events WHERE created_ms < @cutoffMs
              AND NOT EXISTS (SELECT 1 FROM kit_event_handlings h WHERE h.event_id = kit_domain_events.id)
            """, new { cutoffMs }, ct);
        var keys = await tx.ExecuteAsync("DELETE FROM kit_idempotency WHERE created_ms < @cutoffMs", new { cutoffMs }, ct);
        return (events, keys);
    }

    /// <summary>Schedules the first run (key <c>a</c>) at <paramref name="nowMs"/> unless a run of the chain is pending.</summary>
    public static Task SeedAsync(DatabaseTransaction tx, string kind, long nowMs, CancellationToken ct) =>
        tx.ExecuteAsync(
            """
            INSERT INTO kit_jobs (kind, job_key, due_ms) SELECT @kind, 'a', @nowMs
            WHERE NOT EXISTS (SELECT 1 FROM kit_jobs WHERE kind = @kind)
            ON CONFLICT (kind, job_key) DO NOTHING
            """, new { kind, nowMs }, ct);
}
