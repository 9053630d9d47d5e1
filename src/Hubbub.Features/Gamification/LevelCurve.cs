namespace Hubbub.Features.Gamification;

/// <summary>Levels from total XP: level 1 from 0 XP, level n+1 from <c>thresholds[n-1]</c>.</summary>
public sealed class LevelCurve(IReadOnlyList<long> thresholds)
{
    /// <summary>Total XP needed for level 2, 3, …: the last one is the highest level.</summary>
    public IReadOnlyList<long> Thresholds => thresholds;

    /// <summary>The highest level (one more than the thresholds).</summary>
    public int MaxLevel => thresholds.Count + 1;

    /// <summary>The default curve: level n needs 50·n·(n−1) XP (100, 300, 600, 1000, …), up to <paramref name="maxLevel"/>.</summary>
    public static IReadOnlyList<long> Default(int maxLevel) => Enumerable.Range(2, maxLevel - 1).Select(n => 50L * n * (n - 1)).ToArray();

    /// <summary>The level of <paramref name="xp"/> total XP.</summary>
    public int LevelOf(long xp)
    {
        // The number of thresholds reached, by binary search: the first threshold above xp.
        int low = 0, high = thresholds.Count;
        while (low < high)
        {
            var mid = (low + high) / 2;
            if (thresholds[mid] <= xp)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low + 1;
    }

    /// <summary>Total XP needed for the level after <paramref name="level"/>, or null at the highest level.</summary>
    public long? NextLevelXp(int level) => level - 1 < thresholds.Count ? thresholds[level - 1] : null;
}
