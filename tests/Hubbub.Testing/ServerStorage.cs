namespace Hubbub.Testing;

/// <summary>Which database a server process keeps its durable state in.</summary>
public enum ServerStorage
{
    /// <summary>The embedded default: SQLite files in the server's data folder.</summary>
    Sqlite,

    /// <summary>A fresh database on the PostgreSQL server the test script started (HUBBUB_TEST_POSTGRES).</summary>
    Postgres,
}
