using System.Globalization;
using Hubbub.Bench.Infra;

namespace Hubbub.Bench.Chaos;

/// <summary>What a chaos run does: the load, how long each fault lasts, and how long the checks may take to converge.</summary>
public sealed class ChaosSettings
{
    /// <summary>The short preset (a test runs it): small load, short faults.</summary>
    public bool Quick { get; set; }

    /// <summary>How many times the whole fault sequence runs.</summary>
    public int Rounds { get; set; } = 2;

    /// <summary>Members of each kind of load (chatters, bidders, venue members); each kind has this many users.</summary>
    public int WorkersPerKind { get; set; } = 3;

    /// <summary>Operations per second each worker attempts (a steady rate; a slow operation is not made up for).</summary>
    public double OpsPerSecond { get; set; } = 4;

    /// <summary>Load before each fault (and after a restart, before the checks).</summary>
    public TimeSpan LoadBeforeFault { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a node stays stopped (SIGSTOP) and how long a killed node or a stopped Redis stays down.</summary>
    public TimeSpan PauseFor { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a killed node, Redis or PostgreSQL stays down before it is started again.</summary>
    public TimeSpan DownFor { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The bound on the checks after a fault: each check is repeated until it holds or this passes.</summary>
    public TimeSpan SettleBound { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary><c>Hubbub:Redis:PresenceTtlSeconds</c> of the nodes (a dead node's users leave within about 1⅓ × this).</summary>
    public int PresenceTtlSeconds { get; set; } = 10;

    /// <summary>Where results go (bench/results/chaos).</summary>
    public string OutputFolder { get; set; } = Path.Combine(RepoPaths.Results, "chaos");

    /// <summary>The whole run's bound.</summary>
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>The quick preset: one round, 3 s pause, light load; about a minute and a half on 2 cores.</summary>
    public static ChaosSettings QuickPreset() => new()
    {
        Quick = true,
        Rounds = 1,
        WorkersPerKind = 2,
        OpsPerSecond = 3,
        LoadBeforeFault = TimeSpan.FromSeconds(2),
        PauseFor = TimeSpan.FromSeconds(3),
        DownFor = TimeSpan.FromSeconds(1),
        SettleBound = TimeSpan.FromSeconds(40),
        PresenceTtlSeconds = 3,
        MaxDuration = TimeSpan.FromMinutes(4),
    };

    /// <summary>Usage text.</summary>
    public const string Usage = """
        usage: Hubbub.Bench chaos [options]
          three Hubbub nodes on Redis + PostgreSQL (all on loopback, started and stopped by the bench), clients
          chatting, bidding and checking in at a steady rate, while the script SIGKILLs a node, restarts Redis,
          restarts PostgreSQL and SIGSTOPs a node; after each fault it checks that nothing was lost.
          --quick               one round, 3 s pause, small load (about 1.5 min)
          --rounds N            times the fault sequence runs (default 2)
          --workers N           users of each kind: chatters, bidders, venue members (default 3)
          --rate R              operations per second per user (default 4)
          --pause-seconds S     SIGSTOP duration (default 20)
          --out DIR             results folder (default bench/results/chaos)
        """;

    /// <summary>Parses the options after <c>chaos</c>; null with an error on bad input.</summary>
    public static ChaosSettings? Parse(IReadOnlyList<string> args, out string? error)
    {
        error = null;
        var settings = args.Contains("--quick") ? QuickPreset() : new ChaosSettings();
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--quick")
            {
                continue;
            }
            if (i + 1 >= args.Count)
            {
                error = $"{args[i]} needs a value";
                return null;
            }
            var (name, value) = (args[i], args[++i]);
            try
            {
                switch (name)
                {
                    case "--rounds": settings.Rounds = Positive(value); break;
                    case "--workers": settings.WorkersPerKind = Positive(value); break;
                    case "--rate": settings.OpsPerSecond = double.Parse(value, CultureInfo.InvariantCulture); break;
                    case "--pause-seconds": settings.PauseFor = TimeSpan.FromSeconds(Positive(value)); break;
                    case "--out": settings.OutputFolder = Path.GetFullPath(value); break;
                    default:
                        error = $"unknown option '{name}'";
                        return null;
                }
            }
            catch (FormatException)
            {
                error = $"{name}: '{value}' is not valid";
                return null;
            }
        }
        return settings.OpsPerSecond > 0 ? settings : null;
    }

    private static int Positive(string value)
    {
        var n = int.Parse(value, CultureInfo.InvariantCulture);
        return n > 0 ? n : throw new FormatException();
    }
}
