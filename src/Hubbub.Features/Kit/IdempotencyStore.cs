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
            return await tx.QuerySingleOrDefaultAsync(Find.Values().Add(scope).Add(key), ReadResult, ct);
        }
        var reserved = await tx.ExecuteAsync(Reserve.Values().Add(scope).Add(key).Add(now), ct);
        return reserved == 1 ? null : await tx.QuerySingleAsync(Find.Values().Add(scope).Add(key), ReadResult, ct);
    }

    /// <summary>Stores the first call's result under its key (reserved by <see cref="TryReserveAsync"/>, on SQLite written now).</summary>
    public static async Task CompleteAsync(DatabaseTransaction tx, string scope, string key, string result, long now, CancellationToken ct) =>
        await (tx.Provider == DatabaseProvider.Sqlite
            ? tx.ExecuteAsync(Write.Values().Add(scope).Add(key).Add(result).Add(now), ct)
            : tx.ExecuteAsync(Store.Values().Add(result).Add(scope).Add(key), ct));

    // Statements by position (values in the order each text names them): one or two per call of every feature, run on
    // SQLite's writer with no parameter objects.
    private static readonly Statement Find = new("SELECT result FROM kit_idempotency WHERE scope = @scope AND idem_key = @key");

    private static readonly Statement Reserve = new(
        "INSERT INTO kit_idempotency (scope, idem_key, created_ms) VALUES (@scope, @key, @now) ON CONFLICT (scope, idem_key) DO NOTHING");

    private static readonly Statement Write = new("""
        INSERT INTO kit_idempotency (scope, idem_key, result, created_ms) VALUES (@scope, @key, @result, @now)
        ON CONFLICT (scope, idem_key) DO UPDATE SET result = excluded.result
        """);

    private static readonly Statement Store = new("UPDATE kit_idempotency SET result = @result WHERE scope = @scope AND idem_key = @key");

    private static readonly Func<StatementRow, string?> ReadResult = static row => row.GetStringOrNull(0);
}
