namespace Hubbub.Bench.Measure;

/// <summary>Median with min and max over a run's rounds.</summary>
/// <param name="Median">The median (the mean of the middle two for an even count).</param>
/// <param name="Min">The smallest value.</param>
/// <param name="Max">The largest value.</param>
/// <param name="Count">How many values.</param>
public readonly record struct Stats(double Median, double Min, double Max, int Count)
{
    /// <summary>Summarizes <paramref name="values"/> (at least one).</summary>
    public static Stats Of(IReadOnlyCollection<double> values)
    {
        var sorted = values.Order().ToArray();
        var n = sorted.Length;
        var median = n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
        return new Stats(median, sorted[0], sorted[^1], n);
    }

    /// <summary>The exact percentile of sorted samples (nearest rank).</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double percentile)
    {
        if (sorted.Count == 0)
        {
            return 0;
        }
        var rank = (int)Math.Ceiling(sorted.Count * percentile / 100.0);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
