namespace Hubbub.Features.Gamification;

/// <summary>
/// What each board's <c>leaderboard:{key}</c> channel last showed, and whose flush may publish its next
/// <c>leaderboard_change</c>: <see cref="InMemoryLeaderboardLiveState"/> on one node (its coalescer alone spaces the
/// changes), <see cref="RedisLeaderboardLiveState"/> when the nodes share Redis (one turn per board across the nodes).
/// A flush takes the board's turn, reads the top rows, records them as shown (learning what was shown before), publishes,
/// and ends the turn.
/// </summary>
public interface ILeaderboardLiveState
{
    /// <summary>
    /// True when every node reads and writes the same state. Then nothing is known of a board until some node recorded
    /// it, so a first change lists every row; on one node a first change lists only the rows its own events moved.
    /// </summary>
    bool SharedAcrossNodes { get; }

    /// <summary>
    /// Takes <paramref name="board"/>'s turn to flush; when it is not free (another node flushes, or the interval since
    /// the board's last change has not ended) the answer is not <see cref="LiveTurn.Granted"/> and says how long it is held.
    /// </summary>
    Task<LiveTurn> TakeTurnAsync(string board);

    /// <summary>
    /// Records <paramref name="rows"/> as what the channel shows for <paramref name="period"/> and answers what it showed
    /// before (<see cref="ShownRows.Nothing"/> when nothing of that period is known); null when the turn was lost (it
    /// outlived its lease): then the flush publishes nothing.
    /// </summary>
    Task<ShownRows?> ShowAsync(LiveTurn turn, string period, IReadOnlyList<LeaderboardEntry> rows);

    /// <summary>
    /// Ends the turn: after a published change the board's next turn is free an interval from now, else at once.
    /// </summary>
    Task EndTurnAsync(LiveTurn turn, bool published);

    /// <summary>Forgets a board that was deleted.</summary>
    Task ForgetAsync(LiveTurn turn);
}

/// <summary>
/// A board's turn to flush: granted with a <see cref="Token"/> (which tells this turn from a later one of another node),
/// or refused for <see cref="HeldFor"/>.
/// </summary>
public sealed record LiveTurn(string Board, string? Token, TimeSpan HeldFor)
{
    /// <summary>Whether this flush may go on.</summary>
    public bool Granted => Token is not null;
}

/// <summary>The rows a board's channel showed for one period: user → (rank, score).</summary>
public sealed class ShownRows(Dictionary<string, (long Rank, double Score)>? rows)
{
    /// <summary>Nothing known of the period.</summary>
    public static ShownRows Nothing { get; } = new(null);

    /// <summary>User → (rank, score) as last shown; null when nothing is known.</summary>
    public Dictionary<string, (long Rank, double Score)>? Rows { get; } = rows;

    /// <summary>The rows of a read, as they will be shown.</summary>
    public static Dictionary<string, (long Rank, double Score)> Of(IReadOnlyList<LeaderboardEntry> rows)
    {
        var shown = new Dictionary<string, (long Rank, double Score)>(rows.Count, StringComparer.Ordinal);
        foreach (var row in rows)
        {
            shown[row.User] = (row.Rank, row.Score);
        }
        return shown;
    }
}
