using Hubbub.Storage;

namespace Hubbub.Features.Kit;

/// <summary>Idempotency keys: one table for every feature, keyed by scope and key, holding the first call's result.</summary>
internal static class IdempotencyStore
{
    /// <summary>
    /// Reserves the key for this transaction, or returns the stored result of the call that holds it. On PostgreSQL a
    /// second transaction inserting the same key waits for the first to commit (then finds its result) or roll back
    /// (then reserves it itself). On SQLite write transactions never overlap (the one writer, or <c>BEGIN IMMEDIATE</c>'s
    /// lock), so nothing needs reserving: a read says whether the key is taken, and <see cref="CompleteAsync"/> writes
    /// the row once, with its result, in the same transaction (one row written per call, where the reserve and the
    /// result wrote it twice). A key whose row holds no result (a call that failed inside a transaction that still
    /// committed) runs again, as before.
    /// </summary>
    public static async Task<string?> TryReserveAsync(DatabaseTransaction tx, string scope, string key, long now, CancellationToken ct)
    {
        if (tx.Provider == DatabaseProvider.Sqlite)
        {
            return await tx.QuerySingleOrDefaultAsync<string>(
                "SELECT result FROM kit_idempotency WHERE scope = @scope AND idem_key = @key", new { scope, key }, ct);
        }
        var reserved = await tx.ExecuteAsync(
            "INSERT INTO kit_idempotency (scope, idem_key, created_ms) VALUES (@scope, @key, @now) ON CONFLICT (scope, idem_key) DO NOTHING",
            new { scope, key, now }, ct);
        return reserved == 1
            ? null
            : await tx.QuerySingleAsync<string>("SELECT result FROM kit_idempotency WHERE scope = @scope AND idem_key = @key", new { scope, key }, ct);
    }

    /// <summary>Stores the first call's result under its key (reserved by <see cref="TryReserveAsync"/>, on SQLite written now).</summary>
    public static Task CompleteAsync(DatabaseTransaction tx, string scope, string key, string result, long now, CancellationToken ct) =>
        tx.Provider == DatabaseProvider.Sqlite
            ? tx.ExecuteAsync("""
                INSERT INTO kit_idempotency (scope, idem_key, result, created_ms) VALUES (@scope, @key, @result, @now)
                ON CONFLICT (scope, idem_key) DO UPDATE SET result = excluded.result
                """,
                new { scope, key, result, now }, ct)
            : tx.ExecuteAsync("UPDATE kit_idempotency SET result = @result WHERE scope = @scope AND idem_key = @key", new { scope, key, result }, ct);
}
