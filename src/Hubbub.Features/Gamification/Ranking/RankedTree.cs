namespace Hubbub.Features.Gamification.Ranking;

/// <summary>
/// An order-statistic tree of one board: a treap (a binary search tree kept balanced in expectation by random heap
/// priorities) whose nodes count their subtree, so the position of an entry, the number of entries before a score and
/// the entry at a position are each one walk from the root, O(log n). Entries are ordered by the score in the board's
/// direction (stored negated for a <c>desc</c> board, so the best comes first either way), then who reached it first,
/// then the user id (ordinal). One per board and period; not thread-safe (its owner locks).
/// <para>
/// The nodes are slots of one array of structs linked by index, not objects linked by reference: a board of a million
/// entries is then a few arrays to the garbage collector rather than a million nodes whose links every update rewrites.
/// Measured at 1,000,000 entries (docs/performance.md, "Leaderboard update: where the time goes"), a tree of node objects
/// made every gen0 collection of the process take about 2.5 ms instead of 0.03 ms, and that pause landed on whatever
/// request was running. A user keeps their slot for the tree's life (a new score moves the slot, it is never freed):
/// the tree only grows, as a board's period does, and an update writes no reference at all.
/// </para>
/// </summary>
internal sealed class RankedTree
{
    private const int Nil = -1;

    private readonly Dictionary<string, int> _byUser;
    private Node[] _nodes;
    private string[] _users;
    private int _count;
    private int _root = Nil;
    private ulong _seed = 0x9E3779B97F4A7C15;

    /// <param name="ascending">The board's direction.</param>
    /// <param name="capacity">Entries expected (a build knows them): the arrays are sized once.</param>
    public RankedTree(bool ascending, int capacity = 16)
    {
        Ascending = ascending;
        capacity = Math.Max(16, capacity);
        _byUser = new Dictionary<string, int>(capacity, StringComparer.Ordinal);
        _nodes = new Node[capacity];
        _users = new string[capacity];
    }

    /// <summary>The board's direction.</summary>
    public bool Ascending { get; }

    /// <summary>Entries held.</summary>
    public int Count => _count;

    /// <summary>Puts a committed score in unless the tree holds this user's entry at the same or a newer version; true when it did.</summary>
    public bool Apply(IndexedScore score)
    {
        if (_byUser.TryGetValue(score.User, out var slot))
        {
            if (_nodes[slot].Version >= score.Version)
            {
                return false;
            }
            _root = Remove(_root, slot);
        }
        else
        {
            slot = NewSlot(score.User);
            _byUser.Add(score.User, slot);
        }
        ref var node = ref _nodes[slot];
        node.Score = Orient(score.Score);
        node.ReachedMs = score.ReachedMs;
        node.Version = score.Version;
        node.Priority = NextPriority();
        node.Left = node.Right = Nil;
        node.Size = 1;
        _root = Insert(_root, slot);
        return true;
    }

    /// <summary>The user's rank, position and score, or null.</summary>
    public UserRank? RankOf(string user) =>
        _byUser.TryGetValue(user, out var slot)
            ? new UserRank(1 + CountBefore(_nodes[slot].Score), 1 + PositionOf(slot), Unorient(_nodes[slot].Score))
            : null;

    /// <summary>1 + the entries with a strictly better score than <paramref name="score"/>, leaving out <paramref name="exceptUser"/>'s.</summary>
    public long RankOfScore(double score, string? exceptUser)
    {
        var oriented = Orient(score);
        var better = CountBefore(oriented);
        if (exceptUser is not null && _byUser.TryGetValue(exceptUser, out var own) && _nodes[own].Score < oriented)
        {
            better--;
        }
        return 1 + better;
    }

    /// <summary>
    /// <see cref="RankOfScore"/> of each of <paramref name="scores"/>, counting each of <paramref name="pending"/> (but
    /// <paramref name="exceptUser"/>'s) at its score instead of the user's entry, unless the tree holds that entry at the
    /// same or a newer version (then it is counted already).
    /// </summary>
    public long[] RanksOfScores(IReadOnlyList<double> scores, string? exceptUser, IReadOnlyList<PendingScore> pending)
    {
        var ranks = new long[scores.Count];
        for (var i = 0; i < ranks.Length; i++)
        {
            ranks[i] = RankOfScore(scores[i], exceptUser);
        }
        foreach (var change in pending)
        {
            double? held = null;
            if (change.User == exceptUser)
            {
                continue;
            }
            if (_byUser.TryGetValue(change.User, out var slot))
            {
                if (_nodes[slot].Version >= change.Version)
                {
                    continue;
                }
                held = _nodes[slot].Score;
            }
            var moved = Orient(change.Score);
            for (var i = 0; i < ranks.Length; i++)
            {
                var oriented = Orient(scores[i]);
                if (held < oriented)
                {
                    ranks[i]--;
                }
                if (moved < oriented)
                {
                    ranks[i]++;
                }
            }
        }
        return ranks;
    }

    /// <summary>Up to <paramref name="count"/> entries from the 0-based <paramref name="start"/>, ranked.</summary>
    public List<RankedScore> Range(long start, int count)
    {
        var rows = new List<(string User, double Score)>(Math.Max(0, Math.Min(count, Count)));
        Collect(_root, start, start + count, 0, rows);
        return rows.Count == 0 ? [] : Ranks.Assign(rows, 1 + CountBefore(Orient(rows[0].Score)), 1 + start);
    }

    /// <summary>The user's entry with up to <paramref name="limit"/> entries on each side, ranked; empty when the user has none.</summary>
    public List<RankedScore> Around(string user, int limit)
    {
        if (!_byUser.TryGetValue(user, out var slot))
        {
            return [];
        }
        var position = PositionOf(slot);
        var start = Math.Max(0, position - limit);
        return Range(start, (int)(position - start) + limit + 1);
    }

    private double Orient(double score) => Ascending ? score : -score;

    private double Unorient(double oriented) => Ascending ? oriented : -oriented;

    private int NewSlot(string user)
    {
        if (_count == _nodes.Length)
        {
            Array.Resize(ref _nodes, _count * 2);
            Array.Resize(ref _users, _count * 2);
        }
        _users[_count] = user;
        return _count++;
    }

    /// <summary>Entries whose (oriented) score is strictly less than <paramref name="oriented"/>.</summary>
    private long CountBefore(double oriented)
    {
        long count = 0;
        for (var n = _root; n != Nil;)
        {
            ref readonly var node = ref _nodes[n];
            if (node.Score < oriented)
            {
                count += Size(node.Left) + 1;
                n = node.Right;
            }
            else
            {
                n = node.Left;
            }
        }
        return count;
    }

    /// <summary>Entries ordered before <paramref name="target"/> (its 0-based position).</summary>
    private long PositionOf(int target)
    {
        long count = 0;
        for (var n = _root; n != Nil;)
        {
            var c = Compare(target, n);
            if (c == 0)
            {
                return count + Size(_nodes[n].Left);
            }
            if (c > 0)
            {
                count += Size(_nodes[n].Left) + 1;
                n = _nodes[n].Right;
            }
            else
            {
                n = _nodes[n].Left;
            }
        }
        throw new InvalidOperationException("an indexed entry is missing from its tree");
    }

    private void Collect(int n, long from, long to, long offset, List<(string User, double Score)> rows)
    {
        // offset: the position of n's subtree's first entry.
        while (n != Nil && from < to)
        {
            var left = Size(_nodes[n].Left);
            var own = offset + left;
            if (from < own)
            {
                Collect(_nodes[n].Left, from, to, offset, rows);
            }
            if (own >= to)
            {
                return;
            }
            if (own >= from)
            {
                rows.Add((_users[n], Unorient(_nodes[n].Score)));
            }
            offset = own + 1;
            n = _nodes[n].Right;
        }
    }

    private int Insert(int root, int node)
    {
        if (root == Nil)
        {
            return node;
        }
        if (_nodes[node].Priority > _nodes[root].Priority)
        {
            var (before, after) = Split(root, node);
            _nodes[node].Left = before;
            _nodes[node].Right = after;
            Update(node);
            return node;
        }
        if (Compare(node, root) < 0)
        {
            _nodes[root].Left = Insert(_nodes[root].Left, node);
        }
        else
        {
            _nodes[root].Right = Insert(_nodes[root].Right, node);
        }
        Update(root);
        return root;
    }

    private int Remove(int root, int node)
    {
        if (root == Nil)
        {
            return Nil;
        }
        if (root == node)
        {
            return Merge(_nodes[root].Left, _nodes[root].Right);
        }
        if (Compare(node, root) < 0)
        {
            _nodes[root].Left = Remove(_nodes[root].Left, node);
        }
        else
        {
            _nodes[root].Right = Remove(_nodes[root].Right, node);
        }
        Update(root);
        return root;
    }

    /// <summary>Splits into the entries before <paramref name="key"/> and those after it.</summary>
    private (int Before, int After) Split(int root, int key)
    {
        if (root == Nil)
        {
            return (Nil, Nil);
        }
        if (Compare(root, key) < 0)
        {
            var (before, after) = Split(_nodes[root].Right, key);
            _nodes[root].Right = before;
            Update(root);
            return (root, after);
        }
        else
        {
            var (before, after) = Split(_nodes[root].Left, key);
            _nodes[root].Left = after;
            Update(root);
            return (before, root);
        }
    }

    private int Merge(int before, int after)
    {
        if (before == Nil)
        {
            return after;
        }
        if (after == Nil)
        {
            return before;
        }
        if (_nodes[before].Priority > _nodes[after].Priority)
        {
            _nodes[before].Right = Merge(_nodes[before].Right, after);
            Update(before);
            return before;
        }
        _nodes[after].Left = Merge(before, _nodes[after].Left);
        Update(after);
        return after;
    }

    private int Compare(int a, int b)
    {
        ref readonly var x = ref _nodes[a];
        ref readonly var y = ref _nodes[b];
        return x.Score != y.Score ? x.Score.CompareTo(y.Score)
            : x.ReachedMs != y.ReachedMs ? x.ReachedMs.CompareTo(y.ReachedMs)
            : string.CompareOrdinal(_users[a], _users[b]);
    }

    private int Size(int n) => n == Nil ? 0 : _nodes[n].Size;

    private void Update(int n)
    {
        ref var node = ref _nodes[n];
        node.Size = 1 + Size(node.Left) + Size(node.Right);
    }

    /// <summary>xorshift64*: cheap, and the priorities need no more than to look random to the keys.</summary>
    private int NextPriority()
    {
        _seed ^= _seed >> 12;
        _seed ^= _seed << 25;
        _seed ^= _seed >> 27;
        return (int)((_seed * 0x2545F4914F6CDD1DUL) >> 33);
    }

    /// <summary>One entry: its (oriented) score, when it was reached, its version, its heap priority, its subtree's size and children (slots, or <see cref="Nil"/>).</summary>
    private struct Node
    {
        public double Score;
        public long ReachedMs;
        public long Version;
        public int Priority;
        public int Size;
        public int Left;
        public int Right;
    }
}
