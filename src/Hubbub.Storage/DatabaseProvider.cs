namespace Hubbub.Storage;

/// <summary>The database engine behind <see cref="IDatabase"/>, chosen by configuration.</summary>
public enum DatabaseProvider
{
    /// <summary>The embedded default: one file in the data directory.</summary>
    Sqlite,

    /// <summary>PostgreSQL, selected by setting <c>ConnectionStrings:Postgres</c>; required for several nodes.</summary>
    Postgres,
}
