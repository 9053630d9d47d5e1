using Hubbub.Features.Kit;

namespace Hubbub.Features.Gamification;

/// <summary>
/// At start (after the migrations and the rules file), schedules the reset of every periodic board that has none: the
/// boards stored before resets were scheduled. One that has one keeps it (so nodes starting together, or a start at
/// the moment of a reset, add no second run).
/// </summary>
internal sealed class BoardResetScheduler(FeatureDatabase database, TimeProvider time) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        database.WriteAsync(async tx =>
        {
            var now = time.GetUtcNow();
            foreach (var row in await DefinitionStore.ListAsync(tx, DefinitionStore.Leaderboard, cancellationToken))
            {
                await BoardResets.EnsureAsync(tx, DefinitionService.Leaderboards.Read(row), now, cancellationToken);
            }
        }, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
