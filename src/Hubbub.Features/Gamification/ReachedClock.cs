namespace Hubbub.Features.Gamification;

/// <summary>
/// The time a user reached a score (on a board and period) or a challenge's progress, which orders ties: who reached it
/// first is listed first. The transaction's millisecond alone is not enough: two events applied one after the other within
/// one millisecond (a batch, or a fast client posting one at a time) would tie on it and fall back to the user id,
/// listing the later one first. So on one node each board and period (each challenge) hands out strictly increasing
/// times: the transaction's millisecond, or one past the last one handed out when that is not earlier. Where several
/// updates a millisecond arrive for one board for a while, its times run ahead of the clock by that excess and come back
/// when the rate falls; they only order ties. Between nodes the order is each node's clock, as before.
/// </summary>
public sealed class ReachedClock
{
    /// <summary>How many boards, periods and challenges are remembered before the ones the clock passed are forgotten.</summary>
    private const int MaxKept = 4096;

    private readonly Lock _gate = new();
    private readonly Dictionary<(string Kind, string Key), long> _last = [];

    /// <summary>The reached time of an update to <paramref name="board"/> in <paramref name="period"/>.</summary>
    public long ForScore(string board, string period, long nowMs) => Next((board, period), nowMs);

    /// <summary>The reached time of progress in challenge <paramref name="challenge"/>.</summary>
    // A board key never holds a NUL (definition keys are checked), so this kind cannot meet a board's.
    public long ForChallenge(long challenge, long nowMs) => Next(("\0challenge", challenge.ToString(System.Globalization.CultureInfo.InvariantCulture)), nowMs);

    private long Next((string, string) key, long nowMs)
    {
        lock (_gate)
        {
            var next = _last.TryGetValue(key, out var last) && last >= nowMs ? last + 1 : nowMs;
            if (_last.Count >= MaxKept && !_last.ContainsKey(key))
            {
                Forget(nowMs);
            }
            _last[key] = next;
            return next;
        }
    }

    /// <summary>Drops what the clock has passed: a later update there takes the clock's time, which is later anyway.</summary>
    private void Forget(long nowMs)
    {
        foreach (var (key, last) in _last)
        {
            if (last < nowMs)
            {
                _last.Remove(key);
            }
        }
    }
}
