using System.Globalization;

namespace Hubbub.Bench.Scenarios.Features;

/// <summary>
/// The events scenario's players as an app that has run a while has them: few veterans, many casual users. Each user's
/// XP from before the run is log-normal (median 400, σ 1.6: a tenth above 3,100, one in a hundred above 17,000), and
/// six in ten have worked out this week, their km so far log-normal too (median 12 km, σ 0.9). Drawn from a fixed seed,
/// so every run, and every build measured, gets the same players.
/// </summary>
internal sealed class Population
{
    private const double XpMedian = 400, XpSigma = 1.6, KmMedian = 12, KmSigma = 0.9, ActiveThisWeek = 0.6;

    private readonly (long Xp, double? Km)[] _players;

    public Population(int users)
    {
        var random = new Random(15); // issue 15; a seeded Random gives the same sequence on every run
        _players = new (long, double?)[users];
        for (var i = 0; i < users; i++)
        {
            var xp = (long)Math.Clamp(Math.Round(XpMedian * Math.Exp(XpSigma * Normal(random))), 1, 1_000_000);
            var active = random.NextDouble() < ActiveThisWeek;
            var km = Math.Clamp(Math.Round(KmMedian * Math.Exp(KmSigma * Normal(random)), 1), 0.1, 500);
            _players[i] = (xp, active ? km : null);
        }
    }

    /// <summary>The events that bring user <paramref name="i"/> to their place: the prior XP, and this week's km if any.</summary>
    public IEnumerable<string> JoinEvents(int i, string user)
    {
        var (xp, km) = _players[i];
        yield return $$$"""{"id":"join-{{{i}}}","user":"{{{user}}}","type":"bench.prior","data":{"xp":{{{xp}}}}}""";
        if (km is { } k)
        {
            yield return $$$"""{"id":"join-km-{{{i}}}","user":"{{{user}}}","type":"bench.workout","data":{"minutes":30,"km":{{{k.ToString(CultureInfo.InvariantCulture)}}}}}""";
        }
    }

    /// <summary>The distance of the n-th measured workout: 1.0–14.9 km, spread over n (7919 is prime).</summary>
    public static string Km(long n) => (1 + (n * 7919 % 140 / 10.0)).ToString(CultureInfo.InvariantCulture);

    /// <summary>A standard normal draw (Box–Muller).</summary>
    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
