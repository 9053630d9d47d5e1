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
    /// Queue this node's SQLite writers in an async first-in-first-out queue before they ask SQLite for its one write
    /// lock (default true). Off, every waiting writer polls in SQLite's busy handler, which sleeps a thread between
    /// tries: many concurrent writers then leave the lock idle and starve the thread pool (docs/performance.md,
    /// "Write paths"). Off is for comparing; it changes no guarantee either way.
    /// </summary>
    public bool SqliteQueueWriters { get; set; } = true;

    /// <summary>Problems with these settings, empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (SqliteBusyTimeoutMs is < 0 or > 600_000)
        {
            problems.Add("Storage:SqliteBusyTimeoutMs must be between 0 and 600000.");
        }
        return problems;
    }
}
