using Hubbub.Features.Kit.Outbox;
using Hubbub.Storage;

namespace Hubbub.Features.Kit.Scheduling;

/// <summary>The scheduler's SQL: one row per pending job, deleted in the transaction that runs it.</summary>
internal static class JobStore
{
    public static Task UpsertAsync(DatabaseTransaction tx, string kind, string key, long dueMs, string? payload, CancellationToken ct) =>
        tx.ExecuteAsync(
            """
            INSERT INTO kit_jobs (kind, job_key, due_ms, payload) VALUES (@kind, @key, @dueMs, @payload)
            ON CONFLICT (kind, job_key) DO UPDATE SET due_ms = excluded.due_ms, payload = excluded.payload,
                claim = NULL, claimed_until_ms = 0, attempts = 0, last_error = NULL
            """, new { kind, key, dueMs, payload }, ct);

    /// <summary>
    /// Schedules job <paramref name="key"/> unless a job of the kind whose key starts with <paramref name="prefix"/> is
    /// scheduled (it keeps its time and claim): for chains whose every run has a key of its own. True when added.
    /// </summary>
    public static async Task<bool> InsertUnlessPrefixedAsync(DatabaseTransaction tx, string kind, string prefix, string key, long dueMs,
        CancellationToken ct) =>
        await tx.ExecuteAsync(
            """
            INSERT INTO kit_jobs (kind, job_key, due_ms, payload) SELECT @kind, @key, @dueMs, NULL
            WHERE NOT EXISTS (SELECT 1 FROM kit_jobs WHERE kind = @kind AND substr(job_key, 1, @length) = @prefix)
            ON CONFLICT (kind, job_key) DO NOTHING
            """, new { kind, prefix, key, dueMs, length = prefix.Length }, ct) == 1;

    /// <summary>Removes every job of the kind whose key starts with <paramref name="prefix"/>.</summary>
    public static Task DeletePrefixedAsync(DatabaseTransaction tx, string kind, string prefix, CancellationToken ct) =>
        tx.ExecuteAsync("DELETE FROM kit_jobs WHERE kind = @kind AND substr(job_key, 1, @length) = @prefix",
            new { kind, prefix, length = prefix.Length }, ct);

    public static async Task<bool> DeleteAsync(DatabaseTransaction tx, string kind, string key, CancellationToken ct) =>
        await tx.ExecuteAsync("DELETE FROM kit_jobs WHERE kind = @kind AND job_key = @key", new { kind, key }, ct) == 1;

    /// <summary>Claims due jobs whose claim expired, earliest first (see <see cref="OutboxStore.ClaimAsync"/> on the repeated condition).</summary>
    public static async Task<List<JobRow>> ClaimAsync(IDatabase database, string claim, long now, long until, int limit, CancellationToken ct)
    {
        // A read first, which takes no write lock: most sweeps find nothing, and must not queue behind writers for that.
        if (!await KitClaims.AnyClaimableAsync(database, "kit_jobs", "due_ms <= @now AND claimed_until_ms <= @now", now, ct))
        {
            return [];
        }
        return await database.InTransactionAsync(async tx =>
        {
            await tx.ExecuteAsync(
                """
                UPDATE kit_jobs SET claim = @claim, claimed_until_ms = @until
                WHERE due_ms <= @now AND claimed_until_ms <= @now AND (kind, job_key) IN (
                    SELECT kind, job_key FROM kit_jobs WHERE due_ms <= @now AND claimed_until_ms <= @now ORDER BY due_ms LIMIT @limit)
                """, new { claim, now, until, limit }, ct);
            return (await tx.QueryAsync<JobRow>(
                "SELECT kind AS Kind, job_key AS JobKey, due_ms AS DueMs, payload AS Payload, attempts AS Attempts FROM kit_jobs WHERE claim = @claim ORDER BY due_ms",
                new { claim }, ct)).ToList();
        }, ct);
    }

    /// <summary>Removes the job if this node still holds the claim on this schedule of it; false otherwise.</summary>
    public static async Task<bool> CompleteAsync(DatabaseTransaction tx, JobRow job, string claim, CancellationToken ct) =>
        await tx.ExecuteAsync("DELETE FROM kit_jobs WHERE kind = @Kind AND job_key = @JobKey AND due_ms = @DueMs AND claim = @claim",
            new { job.Kind, job.JobKey, job.DueMs, claim }, ct) == 1;

    public static Task FailAsync(IDatabase database, JobRow job, long retryAt, string error, CancellationToken ct) =>
        database.InTransactionAsync(tx => tx.ExecuteAsync(
            """
            UPDATE kit_jobs SET attempts = attempts + 1, claim = NULL, claimed_until_ms = @retryAt, last_error = @error
            WHERE kind = @Kind AND job_key = @JobKey AND due_ms = @DueMs
            """, new { job.Kind, job.JobKey, job.DueMs, retryAt, error = OutboxStore.Truncate(error) }, ct), ct);

    /// <summary>Jobs failed at least <paramref name="stuckAfter"/> times, and when the next job falls due or claim expires.</summary>
    public static Task<(long Stuck, long? NextMs)> StateAsync(IDatabase database, int stuckAfter, CancellationToken ct) =>
        database.ReadAsync(async tx =>
        {
            var row = await tx.QuerySingleAsync<StateRow>(
                """
                SELECT COUNT(CASE WHEN attempts >= @stuckAfter THEN 1 END) AS Stuck,
                       MIN(CASE WHEN claimed_until_ms > due_ms THEN claimed_until_ms ELSE due_ms END) AS NextMs
                FROM kit_jobs
                """, new { stuckAfter }, ct);
            return (row.Stuck, row.NextMs);
        }, ct);

    internal sealed class JobRow
    {
        public string Kind { get; set; } = "";
        public string JobKey { get; set; } = "";
        public long DueMs { get; set; }
        public string? Payload { get; set; }
        public long Attempts { get; set; }
    }

    private sealed class StateRow
    {
        public long Stuck { get; set; }
        public long? NextMs { get; set; }
    }
}
