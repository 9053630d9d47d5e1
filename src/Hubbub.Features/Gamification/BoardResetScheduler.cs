using Hubbub.Features.Kit;

namespace Hubbub.Features.Gamification;

/// <summary>
/// At start (after the migrations and the rules file), schedules the reset of every periodic board that has none: the
/// boards stored before resets were scheduled. One that has one keeps it (so nodes starting together, or a start at
/// the moment of a reset, add no second run). Not fatal when it fails (a schema not migrated yet, with
/// <c>Storage:MigrateOnStart</c> off): the boards keep their scores, and the next start schedules them.
/// </summary>
internal sealed partial class BoardResetScheduler(FeatureDatabase database, TimeProvider time, ILogger<BoardResetScheduler> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await database.WriteAsync(async tx =>
            {
                var now = time.GetUtcNow();
                foreach (var row in await DefinitionStore.ListAsync(tx, DefinitionStore.Leaderboard, cancellationToken))
                {
                    await BoardResets.EnsureAsync(tx, DefinitionService.Leaderboards.Read(row), now, cancellationToken);
                }
            }, cancellationToken);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
        {
            LogNotScheduled(logger, ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(6303, LogLevel.Warning, "Gamification: the boards' resets could not be scheduled at start; the next start schedules them")]
    private static partial void LogNotScheduled(ILogger logger, Exception exception);
}
