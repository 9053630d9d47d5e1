using Microsoft.Data.Sqlite;
using Npgsql;

namespace Hubbub.Storage;

/// <summary>
/// The database a node uses, resolved once from configuration: <c>ConnectionStrings:Postgres</c> set → PostgreSQL;
/// otherwise SQLite in the file <c>ConnectionStrings:Sqlite</c> names, by default <c>hubbub.db</c> in the data directory.
/// </summary>
public sealed record StorageSettings(DatabaseProvider Provider, string ConnectionString, string Description)
{
    /// <summary>The SQLite file name used inside the data directory when <c>ConnectionStrings:Sqlite</c> is not set.</summary>
    public const string DefaultSqliteFile = "hubbub.db";

    /// <summary>Resolves the settings, or throws a <see cref="StartupException"/> that names the bad setting.</summary>
    public static StorageSettings Resolve(IConfiguration configuration, IHostEnvironment environment)
    {
        var postgres = configuration.GetConnectionString("Postgres");
        if (!string.IsNullOrWhiteSpace(postgres))
        {
            NpgsqlConnectionStringBuilder builder;
            try
            {
                builder = new NpgsqlConnectionStringBuilder(postgres);
            }
            catch (ArgumentException ex)
            {
                throw new StartupException($"ConnectionStrings:Postgres is not a valid Npgsql connection string: {ex.Message}");
            }
            // The description is logged and printed: never the password, only where the database is.
            return new StorageSettings(DatabaseProvider.Postgres, postgres,
                $"PostgreSQL database '{builder.Database ?? builder.Username}' at {builder.Host}:{builder.Port}");
        }
        return ResolveSqlite(configuration, environment);
    }

    private static StorageSettings ResolveSqlite(IConfiguration configuration, IHostEnvironment environment)
    {
        var configured = configuration.GetConnectionString("Sqlite");
        SqliteConnectionStringBuilder builder;
        try
        {
            // A bare path is accepted as well as a full connection string ("Data Source=...;...").
            builder = string.IsNullOrWhiteSpace(configured)
                ? new SqliteConnectionStringBuilder { DataSource = Path.Combine(HostDirectories.DataDirectory(configuration, environment), DefaultSqliteFile) }
                : configured.Contains('=', StringComparison.Ordinal)
                    ? new SqliteConnectionStringBuilder(configured)
                    : new SqliteConnectionStringBuilder { DataSource = configured };
        }
        catch (ArgumentException ex)
        {
            throw new StartupException($"ConnectionStrings:Sqlite is not a valid SQLite connection string: {ex.Message}");
        }
        if (string.IsNullOrWhiteSpace(builder.DataSource) || builder.DataSource == ":memory:" || builder.Mode == SqliteOpenMode.Memory)
        {
            // Every pooled connection would see its own empty database: migrations would vanish.
            throw new StartupException("ConnectionStrings:Sqlite must name a file; in-memory SQLite databases are not supported.");
        }
        // Relative paths are taken from the content root, like the data directory, not from the working directory.
        builder.DataSource = Path.GetFullPath(builder.DataSource, environment.ContentRootPath);
        builder.Mode = SqliteOpenMode.ReadWriteCreate;
        builder.Pooling = true;
        return new StorageSettings(DatabaseProvider.Sqlite, builder.ToString(), $"SQLite file {builder.DataSource}");
    }
}
