using Hubbub.Features.Kit;
using Hubbub.Features.Kit.Scheduling;
using Hubbub.Storage;
using static Hubbub.Features.Gamification.GamificationJsonContext;

namespace Hubbub.Features.Gamification;

/// <summary>
/// A periodic board's reset, on the kit's scheduler: one job per board due at its period's end (key
/// <c>{board}@{due ms}</c>: each run schedules the next under a key of its own, as the scheduler removes the run's row
/// by its key and time after it), which tells the board's channel that a new period began (<c>leaderboard_reset</c>, with the ended
/// period's final top rows) and schedules the next one. The scores need no job (the period is computed from an event's
/// time, so a new period starts empty and the ended one is kept, readable with <c>?period=</c>); the job is what lets a
/// page showing the board clear its rows at the moment of the reset rather than at the next score. Scheduled in the
/// transaction that stores or replaces a board, cancelled with it, and ensured at start for boards stored before it
/// existed (<see cref="BoardResetScheduler"/>).
/// </summary>
internal static class BoardResets
{
    /// <summary>The job kind.</summary>
    public const string Job = "gamification.board_reset";

    /// <summary>Rows of the ended period the reset carries (its podium and a little more).</summary>
    public const int FinalRows = 10;

    /// <summary>Schedules the reset of a stored or replaced board, replacing any it had (none for a board of period <c>all</c>).</summary>
    public static async Task ScheduleAsync(FeatureTransaction tx, LeaderboardView board, CancellationToken ct)
    {
        await CancelAsync(tx, board.Key, ct);
        if (Periods.BoardResetsAt(board.Period, DateTimeOffset.FromUnixTimeMilliseconds(tx.NowMs)) is { } resetsAt)
        {
            await tx.ScheduleAsync(Job, KeyOf(board.Key, resetsAt), resetsAt, cancellationToken: ct);
        }
    }

    /// <summary>Cancels a board's reset (it is removed).</summary>
    public static Task CancelAsync(FeatureTransaction tx, string board, CancellationToken ct) => JobStore.DeletePrefixedAsync(tx, Job, Prefix(board), ct);

    /// <summary>Schedules the reset of a periodic board that has none; true when it had none.</summary>
    public static Task<bool> EnsureAsync(DatabaseTransaction tx, LeaderboardView board, DateTimeOffset now, CancellationToken ct) =>
        Periods.BoardResetsAt(board.Period, now) is { } resetsAt
            ? JobStore.InsertUnlessPrefixedAsync(tx, Job, Prefix(board.Key), KeyOf(board.Key, resetsAt), resetsAt.ToUnixTimeMilliseconds(), ct)
            : Task.FromResult(false);

    private static string Prefix(string board) => board + "@";

    private static string KeyOf(string board, DateTimeOffset resetsAt) =>
        Prefix(board) + resetsAt.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The board a job's key names.</summary>
    private static string BoardOf(Job job) => job.Key[..job.Key.LastIndexOf('@')];

    /// <summary>The reset: the board's new period told on its channel, and the next reset scheduled.</summary>
    public static async Task RunAsync(FeatureTransaction tx, Job job, CancellationToken ct)
    {
        if (await DefinitionStore.FindAsync(tx, DefinitionStore.Leaderboard, BoardOf(job), ct) is not { } row)
        {
            return; // removed meanwhile (its delete cancels the job; a job claimed before that finds nothing)
        }
        var board = DefinitionService.Leaderboards.Read(row);
        var now = DateTimeOffset.FromUnixTimeMilliseconds(tx.NowMs);
        if (Periods.BoardResetsAt(board.Period, now) is not { } next)
        {
            return; // replaced by a board of period all meanwhile
        }
        // The period that ended at the job's due time; a node down across several resets tells only the latest.
        var ended = Periods.BoardKey(board.Period, job.DueAt.AddMilliseconds(-1));
        var current = Periods.BoardKey(board.Period, now);
        if (ended != current)
        {
            var final = await LeaderboardService.TopRowsAsync(tx, board, ended, FinalRows, ct);
            await tx.PublishAsync(GamificationService.BoardChannel(board.Key), GamificationEvents.LeaderboardReset,
                new LeaderboardReset(board.Key, current, next.UtcDateTime, ended, final),
                Default.LeaderboardReset, ct);
        }
        await tx.ScheduleAsync(Job, KeyOf(board.Key, next), next, cancellationToken: ct);
    }
}
