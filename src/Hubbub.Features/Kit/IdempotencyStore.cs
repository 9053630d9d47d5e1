using Hubbub.Storage;

namespace Hubbub.Features.Kit;

/// <summary>Idempotency keys: one table for every feature, keyed by scope and key, holding the first call's result.</summary>
internal static class IdempotencyStore
{
    /// <summary>
    /// Reserves the key for this transaction, or returns the stored result of the call that holds it. On PostgreSQL a
    /// second transaction inserting the same key waits for the first to commit (then finds its result) or roll back
    /// (then reserves it itself); on SQLite transactions do not overlap.
    /// </summary>
    public static async Task<string?> TryReserveAsync(DatabaseTransaction tx, string scope, string key, long now, CancellationToken ct)
    {
        var reserved = await tx.ExecuteAsync(
            "INSERT INTO kit_idempotency (scope, idem_key, created_ms) VALUES (@scope, @key, @now) ON CONFLICT (scope, idem_key) DO NOTHING",
            new { scope, key, now }, ct);
        return reserved == 1
            ? null
            : await tx.QuerySingleAsync<string>("SELECT result FROM kit_idempotency WHERE scope = @scope AND idem_key = @key", new { scope, key }, ct);
    }

    public static Task CompleteAsync(DatabaseTransaction tx, string scope, string key, string result, CancellationToken ct) =>
        tx.ExecuteAsync("UPDATE kit_idempotency SET result = @result WHERE scope = @scope AND idem_key = @key", new { scope, key, result }, ct);
}
