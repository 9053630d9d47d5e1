using Microsoft.Extensions.Options;

namespace Hubbub.Storage.Migrations;

/// <summary>
/// Brings the schema up to date when the node starts. Hosted services start before Kestrel listens, so no
/// request ever sees an old schema; a failure stops the start with the runner's one-line reason.
/// </summary>
public sealed class MigrationHostedService(MigrationRunner runner, IOptions<StorageOptions> options, ILogger<MigrationHostedService> logger) : IHostedService
{
    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.MigrateOnStart)
        {
            await runner.ApplyAsync(cancellationToken);
        }
        else
        {
            await runner.CheckConnectionAsync(cancellationToken);
            StorageLog.MigrationsSkipped(logger);
        }
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
