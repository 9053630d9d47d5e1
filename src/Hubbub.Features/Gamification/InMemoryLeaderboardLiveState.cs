using System.Collections.Concurrent;

namespace Hubbub.Features.Gamification;

/// <summary>
/// The live state of one node (no Redis): what it published last per board, in memory. The turn is always free: the
/// node's coalescer already runs one flush of a board at a time, an interval apart, and no other node publishes.
/// </summary>
public sealed class InMemoryLeaderboardLiveState : ILeaderboardLiveState
{
    private readonly ConcurrentDictionary<string, (string Period, Dictionary<string, (long Rank, double Score)> Rows)> _shown =
        new(StringComparer.Ordinal);

    /// <inheritdoc />
    public bool SharedAcrossNodes => false;

    /// <inheritdoc />
    public Task<LiveTurn> TakeTurnAsync(string board) => Task.FromResult(new LiveTurn(board, "", TimeSpan.Zero));

    /// <inheritdoc />
    public Task<ShownRows?> ShowAsync(LiveTurn turn, string period, IReadOnlyList<LeaderboardEntry> rows)
    {
        var before = _shown.TryGetValue(turn.Board, out var shown) && shown.Period == period ? new ShownRows(shown.Rows) : ShownRows.Nothing;
        _shown[turn.Board] = (period, ShownRows.Of(rows));
        return Task.FromResult<ShownRows?>(before);
    }

    /// <inheritdoc />
    public Task EndTurnAsync(LiveTurn turn, bool published) => Task.CompletedTask;

    /// <inheritdoc />
    public Task ForgetAsync(LiveTurn turn)
    {
        _shown.TryRemove(turn.Board, out _);
        return Task.CompletedTask;
    }
}
