using Hubbub.Storage;
using Microsoft.Extensions.Options;

namespace Hubbub.Features.Kit.Notifications;

/// <summary>
/// Merges the notice log (<see cref="NotificationLog"/>) into the keyed notifications every
/// <see cref="KitOptions.NotificationMergeMs"/>, on SQLite's one writer like any write, in transactions of at most
/// <see cref="ChunkRows"/> rows (so a merge holds the writer for milliseconds, not for a second's notices at once).
/// Nothing waits for it: every read already shows the log's rows. Each node merges its own database's log; on
/// PostgreSQL the log stays empty and this only sleeps.
/// </summary>
internal sealed class NotificationLogMerger(IDatabase database, IOptions<KitOptions> options, TimeProvider time, ILogger<NotificationLogMerger> logger)
    : KitLoop(options.Value, time, logger, "Notification log merge", new Wakeup())
{
    /// <summary>Most log rows merged in one transaction (about 500 events' notices at ~10 a event).</summary>
    public const int ChunkRows = 5_000;

    /// <inheritdoc />
    protected override async Task<long?> SweepAsync(CancellationToken cancellationToken)
    {
        var every = options.Value.NotificationMergeMs;
        if (database.Provider != DatabaseProvider.Sqlite || every == 0)
        {
            return null;
        }
        while (await NotificationLog.MergeOldestAsync(database, ChunkRows, cancellationToken) == ChunkRows)
        {
        }
        return Time.GetUtcNow().ToUnixTimeMilliseconds() + every;
    }
}
