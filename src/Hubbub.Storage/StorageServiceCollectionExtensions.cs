using Hubbub.Storage.Migrations;

namespace Hubbub.Storage;

/// <summary>Registers the storage layer.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>The name of the readiness health check for the database.</summary>
    public const string HealthCheckName = "database";

    /// <summary>
    /// Registers <see cref="IDatabase"/> for the engine the configuration selects, the migration runner, the hosted
    /// service that migrates on start, and a readiness health check tagged <paramref name="readyTag"/>.
    /// Features then call <see cref="MigrationServiceCollectionExtensions.AddHubbubMigrations"/> and inject <see cref="IDatabase"/>.
    /// </summary>
    public static IServiceCollection AddHubbubStorage(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment, string readyTag)
    {
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section)
            .Validate(o => o.Validate().Count == 0, "Storage settings are invalid: Storage:SqliteBusyTimeoutMs must be between 0 and 600000, Storage:SqliteGroupCommit between 1 and 10000, Storage:SqliteAutoCheckpointPages between 100 and 1000000, Storage:SqliteWriterCacheKiB between 0 and 4194304, Storage:SqlitePageSize 0 or a power of two from 512 to 65536.").ValidateOnStart();
        // Resolved lazily, so a bad connection string stops the start with its message rather than at registration.
        services.AddSingleton(_ => StorageSettings.Resolve(configuration, environment));
        services.AddSingleton<IDatabase>(sp =>
        {
            var settings = sp.GetRequiredService<StorageSettings>();
            var options = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<StorageOptions>>().Value;
            return settings.Provider == DatabaseProvider.Postgres
                ? new PostgresDatabase(settings)
                : new SqliteDatabase(settings, options.SqliteBusyTimeoutMs, options.SqliteQueueWriters, options.SqliteGroupCommit,
                    options.SqliteStatementCache, options.SqliteBackgroundCheckpoint, options.SqliteAutoCheckpointPages, options.SqliteWriterCacheKiB, options.SqlitePageSize);
        });
        services.AddSingleton<MigrationRunner>();
        services.AddHostedService<MigrationHostedService>();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>(HealthCheckName, tags: [readyTag]);
        return services;
    }
}
