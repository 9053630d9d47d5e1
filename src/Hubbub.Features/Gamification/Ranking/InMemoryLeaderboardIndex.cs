using System.Collections.Concurrent;
using Hubbub.Features.Kit;

namespace Hubbub.Features.Gamification.Ranking;

/// <summary>
/// The ranked index in this node's memory (the embedded default, where one node runs): a <see cref="RankedTree"/> per
/// board and period, built from the database on first use and kept current by the scores committed on this node. A
/// build reads every score of the board and period in one read; scores committed meanwhile are kept aside and applied
/// after it by version, so none is lost or taken back. A board keeps the tree of one period: a newer period's build
/// drops the older one (past periods are read from the database).
/// </summary>
public sealed class InMemoryLeaderboardIndex(FeatureDatabase database) : ILeaderboardIndex
{
    private readonly ConcurrentDictionary<(string Board, string Period), Slot> _slots = new();

    /// <inheritdoc />
    public Task ApplyAsync(BoardSlot board, IndexedScore score, CancellationToken cancellationToken = default)
    {
        if (_slots.TryGetValue((board.Board, board.Period), out var slot))
        {
            using var timer = RankingMetrics.Time(RankingMetrics.MemoryApply);
            lock (slot)
            {
                if (slot.Tree is { } tree && tree.Ascending != board.Ascending)
                {
                    slot.Tree = null; // the board's order changed: rebuilt on next use
                }
                else if (slot.Tree is not null)
                {
                    slot.Tree.Apply(score);
                }
                else
                {
                    slot.Pending?.Add(score);
                }
            }
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<UserRank?> RankAsync(BoardSlot board, string user, CancellationToken cancellationToken = default) =>
        ReadAsync(board, tree => tree.RankOf(user), cancellationToken);

    /// <inheritdoc />
    public Task<long> RankOfScoreAsync(BoardSlot board, double score, string? exceptUser, CancellationToken cancellationToken = default)
    {
        using var timer = RankingMetrics.Time(RankingMetrics.MemoryRank); // a built tree answers synchronously: this times the read
        return ReadAsync(board, tree => tree.RankOfScore(score, exceptUser), cancellationToken);
    }

    /// <inheritdoc />
    public Task<long[]> RanksOfScoresAsync(BoardSlot board, IReadOnlyList<double> scores, string? exceptUser, CancellationToken cancellationToken = default)
    {
        using var timer = RankingMetrics.Time(RankingMetrics.MemoryRank);
        return ReadAsync(board, tree => scores.Select(score => tree.RankOfScore(score, exceptUser)).ToArray(), cancellationToken);
    }

    /// <inheritdoc />
    public Task<RanksRead> RanksAndBehindAsync(BoardSlot board, IReadOnlyList<double> scores, string? exceptUser,
        IReadOnlyList<PendingScore> pending, double behind, int behindLimit, CancellationToken cancellationToken = default)
    {
        using var timer = RankingMetrics.Time(RankingMetrics.MemoryRank);
        // Under the board's lock, as an apply: the ranks, their correction by the pending changes and whom the score
        // passed are of one state.
        return ReadAsync(board, tree => new RanksRead(tree.RanksOfScores(scores, exceptUser, pending),
            behindLimit > 0 ? Behind(tree, board, behind, behindLimit) : null), cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<RankedScore>> RangeAsync(BoardSlot board, long start, int limit, CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<RankedScore>>(board, tree => tree.Range(start, limit), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<RankedScore>> AroundAsync(BoardSlot board, string user, int limit, CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<RankedScore>>(board, tree => tree.Around(user, limit), cancellationToken);

    /// <inheritdoc />
    public Task<RankedWindow> AroundCountedAsync(BoardSlot board, string user, int limit, CancellationToken cancellationToken = default) =>
        ReadAsync(board, tree => new RankedWindow(tree.Around(user, limit), tree.Count), cancellationToken);

    /// <inheritdoc />
    public Task<long> CountAsync(BoardSlot board, CancellationToken cancellationToken = default) =>
        ReadAsync(board, tree => (long)tree.Count, cancellationToken);

    /// <inheritdoc />
    public Task InvalidateAsync(BoardSlot board, CancellationToken cancellationToken = default)
    {
        _slots.TryRemove((board.Board, board.Period), out _);
        return Task.CompletedTask;
    }

    private async Task<T> ReadAsync<T>(BoardSlot board, Func<RankedTree, T> read, CancellationToken cancellationToken)
    {
        while (true)
        {
            var slot = _slots.GetOrAdd((board.Board, board.Period), key => NewSlot(key.Board, key.Period));
            Task building;
            lock (slot)
            {
                if (slot.Tree is { } tree && tree.Ascending == board.Ascending)
                {
                    return read(tree);
                }
                slot.Tree = null;
                if (slot.Building is null || slot.Building.IsCompleted)
                {
                    slot.Pending = [];
                    slot.Building = BuildAsync(slot, board);
                }
                building = slot.Building;
            }
            await building.WaitAsync(cancellationToken);
        }
    }

    private Slot NewSlot(string board, string period)
    {
        foreach (var key in _slots.Keys)
        {
            if (key.Board == board && key.Period != period)
            {
                _slots.TryRemove(key, out _); // an older (or, late, a newer) period of the board: read from the database now
            }
        }
        return new Slot();
    }

    private async Task BuildAsync(Slot slot, BoardSlot board)
    {
        await Task.Yield(); // never build under the caller's lock
        List<IndexedScore> scores;
        try
        {
            scores = await database.ReadAsync(tx => ScoreStore.AllAsync(tx, board.Board, board.Period, CancellationToken.None));
        }
        catch
        {
            lock (slot)
            {
                slot.Pending = null;
            }
            throw;
        }
        var tree = new RankedTree(board.Ascending, scores.Count);
        foreach (var score in scores)
        {
            tree.Apply(score);
        }
        lock (slot)
        {
            foreach (var score in slot.Pending ?? [])
            {
                tree.Apply(score); // committed while the build read: kept when newer than what it read
            }
            slot.Pending = null;
            slot.Tree = tree;
        }
    }

    private sealed class Slot
    {
        public RankedTree? Tree;
        public Task? Building;
        public List<IndexedScore>? Pending;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<RankedScore>?> BehindAsync(BoardSlot board, double score, int limit, CancellationToken cancellationToken = default)
    {
        using var timer = RankingMetrics.Time(RankingMetrics.MemoryRank);
        return ReadAsync<IReadOnlyList<RankedScore>?>(board, tree => Behind(tree, board, score, limit), cancellationToken);
    }

    /// <summary>The entries at least as good as the score are those strictly better than the next double behind it.</summary>
    private static List<RankedScore> Behind(RankedTree tree, BoardSlot board, double score, int limit) =>
        tree.Range(tree.RankOfScore(Overtaking.JustBehind(score, board.Ascending), null) - 1, limit);
}
