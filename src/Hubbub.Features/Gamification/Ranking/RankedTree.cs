namespace Hubbub.Features.Gamification.Ranking;

/// <summary>
/// An order-statistic tree of one board: a treap (a binary search tree kept balanced in expectation by random heap
/// priorities) whose nodes count their subtree, so the position of an entry, the number of entries before a score and
/// the entry at a position are each one walk from the root, O(log n). Entries are ordered by the score in the board's
/// direction (stored negated for a <c>desc</c> board, so the best comes first either way), then who reached it first,
/// then the user id (ordinal). One per board and period; not thread-safe (its owner locks).
/// </summary>
internal sealed class RankedTree(bool ascending)
{
    private readonly Dictionary<string, Node> _byUser = new(StringComparer.Ordinal);
    private Node? _root;
    private ulong _seed = 0x9E3779B97F4A7C15;

    /// <summary>The board's direction.</summary>
    public bool Ascending { get; } = ascending;

    /// <summary>Entries held.</summary>
    public int Count => _byUser.Count;

    /// <summary>Puts a committed score in unless the tree holds this user's entry at the same or a newer version; true when it did.</summary>
    public bool Apply(IndexedScore score)
    {
        if (_byUser.TryGetValue(score.User, out var old))
        {
            if (old.Version >= score.Version)
            {
                return false;
            }
            _root = Remove(_root, old);
        }
        var node = new Node(Orient(score.Score), score.ReachedMs, score.User, score.Version, NextPriority());
        _root = Insert(_root, node);
        _byUser[score.User] = node;
        return true;
    }

    /// <summary>The user's rank, position and score, or null.</summary>
    public UserRank? RankOf(string user) =>
        _byUser.TryGetValue(user, out var node) ? new UserRank(1 + CountBefore(node.Score), 1 + PositionOf(node), Unorient(node.Score)) : null;

    /// <summary>1 + the entries with a strictly better score than <paramref name="score"/>, leaving out <paramref name="exceptUser"/>'s.</summary>
    public long RankOfScore(double score, string? exceptUser)
    {
        var oriented = Orient(score);
        var better = CountBefore(oriented);
        if (exceptUser is not null && _byUser.TryGetValue(exceptUser, out var own) && own.Score < oriented)
        {
            better--;
        }
        return 1 + better;
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
        if (!_byUser.TryGetValue(user, out var node))
        {
            return [];
        }
        var position = PositionOf(node);
        var start = Math.Max(0, position - limit);
        return Range(start, (int)(position - start) + limit + 1);
    }

    private double Orient(double score) => Ascending ? score : -score;

    private double Unorient(double oriented) => Ascending ? oriented : -oriented;

    /// <summary>Entries whose (oriented) score is strictly less than <paramref name="oriented"/>.</summary>
    private long CountBefore(double oriented)
    {
        long count = 0;
        for (var n = _root; n is not null;)
        {
            if (n.Score < oriented)
            {
                count += Size(n.Left) + 1;
                n = n.Right;
            }
            else
            {
                n = n.Left;
            }
        }
        return count;
    }

    /// <summary>Entries ordered before <paramref name="target"/> (its 0-based position).</summary>
    private long PositionOf(Node target)
    {
        long count = 0;
        for (var n = _root; n is not null;)
        {
            var c = Compare(target, n);
            if (c == 0)
            {
                return count + Size(n.Left);
            }
            if (c > 0)
            {
                count += Size(n.Left) + 1;
                n = n.Right;
            }
            else
            {
                n = n.Left;
            }
        }
        throw new InvalidOperationException("an indexed entry is missing from its tree");
    }

    private void Collect(Node? n, long from, long to, long offset, List<(string User, double Score)> rows)
    {
        // offset: the position of n's subtree's first entry.
        while (n is not null && from < to)
        {
            var left = Size(n.Left);
            var own = offset + left;
            if (from < own)
            {
                Collect(n.Left, from, to, offset, rows);
            }
            if (own >= to)
            {
                return;
            }
            if (own >= from)
            {
                rows.Add((n.User, Unorient(n.Score)));
            }
            offset = own + 1;
            n = n.Right;
        }
    }

    private Node Insert(Node? root, Node node)
    {
        if (root is null)
        {
            return node;
        }
        if (node.Priority > root.Priority)
        {
            (node.Left, node.Right) = Split(root, node);
            node.Update();
            return node;
        }
        if (Compare(node, root) < 0)
        {
            root.Left = Insert(root.Left, node);
        }
        else
        {
            root.Right = Insert(root.Right, node);
        }
        root.Update();
        return root;
    }

    private static Node? Remove(Node? root, Node node)
    {
        if (root is null)
        {
            return null;
        }
        if (ReferenceEquals(root, node))
        {
            return Merge(root.Left, root.Right);
        }
        if (Compare(node, root) < 0)
        {
            root.Left = Remove(root.Left, node);
        }
        else
        {
            root.Right = Remove(root.Right, node);
        }
        root.Update();
        return root;
    }

    /// <summary>Splits into the entries before <paramref name="key"/> and those after it.</summary>
    private static (Node? Before, Node? After) Split(Node? root, Node key)
    {
        if (root is null)
        {
            return (null, null);
        }
        if (Compare(root, key) < 0)
        {
            var (before, after) = Split(root.Right, key);
            root.Right = before;
            root.Update();
            return (root, after);
        }
        else
        {
            var (before, after) = Split(root.Left, key);
            root.Left = after;
            root.Update();
            return (before, root);
        }
    }

    private static Node? Merge(Node? before, Node? after)
    {
        if (before is null)
        {
            return after;
        }
        if (after is null)
        {
            return before;
        }
        if (before.Priority > after.Priority)
        {
            before.Right = Merge(before.Right, after);
            before.Update();
            return before;
        }
        after.Left = Merge(before, after.Left);
        after.Update();
        return after;
    }

    private static int Compare(Node a, Node b) =>
        a.Score != b.Score ? a.Score.CompareTo(b.Score)
        : a.ReachedMs != b.ReachedMs ? a.ReachedMs.CompareTo(b.ReachedMs)
        : string.CompareOrdinal(a.User, b.User);

    private static int Size(Node? n) => n?.Size ?? 0;

    /// <summary>xorshift64*: cheap, and the priorities need no more than to look random to the keys.</summary>
    private int NextPriority()
    {
        _seed ^= _seed >> 12;
        _seed ^= _seed << 25;
        _seed ^= _seed >> 27;
        return (int)((_seed * 0x2545F4914F6CDD1DUL) >> 33);
    }

    private sealed class Node(double score, long reachedMs, string user, long version, int priority)
    {
        public readonly double Score = score;
        public readonly long ReachedMs = reachedMs;
        public readonly string User = user;
        public readonly long Version = version;
        public readonly int Priority = priority;
        public int Size = 1;
        public Node? Left, Right;

        public void Update() => Size = 1 + (Left?.Size ?? 0) + (Right?.Size ?? 0);
    }
}
