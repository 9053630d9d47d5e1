namespace Hubbub.Storage.Migrations;

/// <summary>
/// The table that records applied migrations, and the lock that keeps two nodes starting at once from applying
/// the same migration twice. Every step runs in a transaction that first takes the lock: on PostgreSQL a
/// transaction-scoped advisory lock; on SQLite the write lock that <c>BEGIN IMMEDIATE</c> already holds.
/// </summary>
internal static class MigrationJournal
{
    /// <summary>The journal table's name.</summary>
    public const string Table = "hubbub_migrations";

    // An arbitrary constant, the same on every node: pg_advisory_xact_lock(key) serializes migrators.
    private const long PostgresLockKey = 0x4875_6262_7562_4D31; // "HubbubM1"

    public const string Create = $"""
        CREATE TABLE IF NOT EXISTS {Table} (
            feature    TEXT    NOT NULL,
            version    INTEGER NOT NULL,
            name       TEXT    NOT NULL,
            checksum   TEXT    NOT NULL,
            applied_at TEXT    NOT NULL,
            PRIMARY KEY (feature, version)
        )
        """;

    public const string SelectAll = $"SELECT feature AS Feature, version AS Version, checksum AS Checksum FROM {Table}";

    public const string SelectOne = $"SELECT COUNT(*) FROM {Table} WHERE feature = @Feature AND version = @Version";

    public const string Insert = $"INSERT INTO {Table} (feature, version, name, checksum, applied_at) VALUES (@Feature, @Version, @Name, @Checksum, @AppliedAt)";

    /// <summary>Takes the migration lock inside the current transaction.</summary>
    public static Task LockAsync(DatabaseTransaction tx, CancellationToken cancellationToken) =>
        tx.Provider == DatabaseProvider.Postgres
            ? tx.ExecuteAsync($"SELECT pg_advisory_xact_lock({PostgresLockKey})", cancellationToken: cancellationToken)
            : Task.CompletedTask;

    /// <summary>A journal row. Settable properties, not a positional record: SQLite returns integers as Int64,
    /// which Dapper converts for a property but not for a constructor parameter.</summary>
    public sealed class Row
    {
        public string Feature { get; set; } = "";

        public int Version { get; set; }

        public string Checksum { get; set; } = "";
    }
}
