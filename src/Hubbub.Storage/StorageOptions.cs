namespace Hubbub.Storage;

/// <summary>
/// Storage settings (section <c>Storage</c>). Which database is used is decided by the standard connection
/// strings instead: <c>ConnectionStrings:Postgres</c> set → PostgreSQL, else SQLite (see <see cref="StorageSettings"/>).
/// </summary>
public sealed class StorageOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Storage";

    /// <summary>
    /// Apply pending migrations when the server starts, before it takes traffic (default true). Turn off when a
    /// deployment runs the <c>migrate</c> verb as its own step; the server then only checks that it can connect.
    /// </summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>
    /// How long a SQLite command waits for another writer's lock before failing with "database is locked"
    /// (SQLite <c>busy_timeout</c>, default 5000 ms). SQLite admits one writer at a time; this turns contention
    /// into a short wait instead of an error.
    /// </summary>
    public int SqliteBusyTimeoutMs { get; set; } = 5000;

    /// <summary>
    /// Run this node's SQLite write transactions on one writer thread with one connection, in arrival order (default
    /// true), instead of each on a connection of its own polling for the one write lock in SQLite's busy handler, which
    /// sleeps a thread between tries: many concurrent writers then leave the lock idle and starve the thread pool
    /// (docs/performance.md, "Write paths"). Off is for comparing; it changes no guarantee either way.
    /// </summary>
    public bool SqliteQueueWriters { get; set; } = true;

    /// <summary>
    /// Most queued SQLite writes committed together in one transaction, each in a savepoint of its own (default 64;
    /// 1 = one transaction per write). Each call still returns only after the commit that holds it, and one that fails
    /// is rolled back alone. Used when <see cref="SqliteQueueWriters"/> is on.
    /// </summary>
    public int SqliteGroupCommit { get; set; } = 64;

    /// <summary>
    /// Most prepared statements the SQLite writer keeps by SQL text (default 256; 0 = compile every statement each time, as
    /// Microsoft.Data.Sqlite does per command). A kept statement runs again without being parsed and planned anew; the
    /// least recently used text is evicted. Used when <see cref="SqliteQueueWriters"/> is on; changes no result.
    /// </summary>
    public int SqliteStatementCache { get; set; } = 256;

    /// <summary>
    /// Copy the SQLite write-ahead log back into the database file on a thread of its own (<see cref="SqliteCheckpointer"/>)
    /// instead of inside the writer's commits, where every write queued behind the commit that ran it waits for the copy
    /// and the file's sync (default true since a quiet-machine pair in docs/performance.md: more events per second and a
    /// lower update p99 on the 1,000,000-entry board). The writer still checkpoints itself past a bound, so the log cannot
    /// grow without end. Used when <see cref="SqliteQueueWriters"/> is on; changes no result and no durability.
    /// </summary>
    public bool SqliteBackgroundCheckpoint { get; set; } = true;

    /// <summary>
    /// Pages of SQLite's write-ahead log past which a commit copies the log back into the database file (SQLite's
    /// <c>wal_autocheckpoint</c>; default 1000, SQLite's own). A larger log is copied less often, and a page written by many
    /// commits in between (the tail of a table every write appends to) is copied once per checkpoint, not once per log of
    /// 1,000 pages; the log file grows to about this many pages of 4 KiB. Changes no result and no durability.
    /// </summary>
    public int SqliteAutoCheckpointPages { get; set; } = 1000;

    /// <summary>
    /// Page cache of the SQLite writer's connection, in KiB (SQLite's <c>cache_size</c>; default 0: SQLite's own, 2,000
    /// KiB). Pages a write needs that are not in it are read from the file (the operating system's cache) and parsed
    /// again. Used when <see cref="SqliteQueueWriters"/> is on; changes no result and no durability.
    /// </summary>
    public int SqliteWriterCacheKiB { get; set; }

    /// <summary>
    /// Page size, in bytes, of a SQLite database file this node creates (SQLite's <c>page_size</c>; default 0: SQLite's own,
    /// 4096). Applies only when the file is created: an existing file keeps the page size it was made with (SQLite cannot
    /// change it in WAL mode), so setting it never touches a deployed database. A power of two from 512 to 65536. Every
    /// page a commit changes is written whole to the write-ahead log, so a write that changes small rows scattered over
    /// a table writes less with smaller pages. Changes no result and no durability.
    /// </summary>
    public int SqlitePageSize { get; set; }

    /// <summary>Problems with these settings, empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (SqliteBusyTimeoutMs is < 0 or > 600_000)
        {
            problems.Add("Storage:SqliteBusyTimeoutMs must be between 0 and 600000.");
        }
        if (SqliteGroupCommit is < 1 or > 10_000)
        {
            problems.Add("Storage:SqliteGroupCommit must be between 1 and 10000.");
        }
        if (SqliteStatementCache is < 0 or > 10_000)
        {
            problems.Add("Storage:SqliteStatementCache must be between 0 and 10000.");
        }
        if (SqliteAutoCheckpointPages is < 100 or > 1_000_000)
        {
            problems.Add("Storage:SqliteAutoCheckpointPages must be between 100 and 1000000.");
        }
        if (SqliteWriterCacheKiB is < 0 or > 4_194_304)
        {
            problems.Add("Storage:SqliteWriterCacheKiB must be between 0 and 4194304.");
        }
        if (SqlitePageSize != 0 && (SqlitePageSize is < 512 or > 65536 || (SqlitePageSize & (SqlitePageSize - 1)) != 0))
        {
            problems.Add("Storage:SqlitePageSize must be 0 (SQLite's default) or a power of two from 512 to 65536.");
        }
        return problems;
    }
}
