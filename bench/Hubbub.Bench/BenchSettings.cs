using System.Globalization;
using Hubbub.Bench.Infra;
using Hubbub.Bench.Scenarios.Features;

namespace Hubbub.Bench;

/// <summary>What a run does: which scenarios on which servers, how many rounds, and each scenario's sizes.</summary>
public sealed class BenchSettings
{
    /// <summary>Every scenario, in the order <c>all</c> runs them.</summary>
    public static readonly IReadOnlyList<string> AllScenarios = ["idle", "fanout", "echo", "publish", "recovery-storm", "chat", "cluster", "outbox", "events", "checkins", "auction", "feed", "leaderboard"];

    /// <summary>Scenarios run only when named (not part of <c>all</c>): the soak takes half an hour by itself.</summary>
    public static readonly IReadOnlyList<string> NamedOnlyScenarios = ["soak"];

    /// <summary>Scenarios to run.</summary>
    public IReadOnlyList<string> Scenarios { get; set; } = AllScenarios;

    /// <summary>Small sizes, one round, a few seconds per scenario.</summary>
    public bool Quick { get; set; }

    /// <summary>Rounds; servers are interleaved within each round.</summary>
    public int Rounds { get; set; } = 3;

    /// <summary>Servers to compare.</summary>
    public IReadOnlyList<ServerKind> Servers { get; set; } = [ServerKind.Hubbub, ServerKind.Kestrel, ServerKind.SignalR];

    /// <summary>Where markdown, CSV and server logs go.</summary>
    public string OutputFolder { get; set; } = RepoPaths.Results;

    /// <summary>Connection counts of the idle scenario, ascending.</summary>
    public IReadOnlyList<int> IdleLevels { get; set; } = [1_000, 5_000, 10_000];

    /// <summary>How long the idle scenario holds its highest level (heartbeats on) before closing; zero closes at once.</summary>
    public TimeSpan IdleHold { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Connections the idle scenario opens and closes before measuring (50: the connect path compiled once). More let the
    /// runtime's tiered compilation finish before the measured connects, whose CPU then excludes that one-off work.
    /// </summary>
    public int IdleWarmup { get; set; } = 50;

    /// <summary>
    /// The idle scenario's client: <c>raw</c> (default since 2026-12-05 17:00: <see cref="Clients.RawIdleClient"/>, tokens and
    /// upgrade heads made before the measured connects) or <c>ws</c> (the earlier <c>ClientWebSocket</c> client, token minted per connect).
    /// </summary>
    public string IdleClient { get; set; } = "raw";

    /// <summary>
    /// How the idle scenario's raw Hubbub clients subscribe to their own channel: <c>connect</c> (default since
    /// 2026-12-07: <c>subscribe=</c> on the upgrade, answered in the <c>welcome</c>), <c>frame</c> (a <c>subscribe</c> frame
    /// after the <c>welcome</c>, one round trip more, as clients before connect-time subscriptions do, and builds before
    /// them can only do) or <c>none</c> (only the <c>welcome</c>: what the subscription itself costs, measured).
    /// </summary>
    public string IdleSubscribe { get; set; } = "connect";

    /// <summary>How long the soak churns connections.</summary>
    public TimeSpan SoakDuration { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Clients of the soak, each connecting, subscribing, chatting and disconnecting in a loop.</summary>
    public int SoakClients { get; set; } = 1_000;

    /// <summary>Subscribers of the fan-out and cluster scenarios.</summary>
    public int Subscribers { get; set; } = 1_000;

    /// <summary>The fan-out rate ladder in messages per second.</summary>
    public IReadOnlyList<int> Rates { get; set; } = [10, 20, 50, 100, 200, 300, 500, 750, 1000];

    /// <summary>How long each ladder step publishes.</summary>
    public TimeSpan StepDuration { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Climb every ladder step even after a failed one (for comparing CPU per delivery at fixed rates); a
    /// step that lost a connection still ends the ladder.</summary>
    public bool KeepClimbing { get; set; }

    /// <summary>Measured round trips of the echo scenario (after a warm-up).</summary>
    public int EchoRoundTrips { get; set; } = 10_000;

    /// <summary>Clients of the recovery storm.</summary>
    public int StormClients { get; set; } = 1_000;

    /// <summary>Publications the storm's clients miss while disconnected.</summary>
    public int StormMissed { get; set; } = 50;

    /// <summary>Connection handshakes in flight at once while connecting many clients.</summary>
    public int ConnectConcurrency { get; set; } = 100;

    /// <summary>Closed-loop workers of the feature scenarios (outbox, events) and of their publish baseline.</summary>
    public int FeatureWorkers { get; set; } = 4;

    /// <summary>Entries of the leaderboard the events scenario reads.</summary>
    public int BoardEntries { get; set; } = 10_000;

    /// <summary>Entries of the leaderboard scenario's board (seeded straight into SQLite).</summary>
    public int LeaderboardEntries { get; set; } = 1_000_000;

    /// <summary>The ranked indexes the leaderboard scenario measures, in turn: <c>embedded</c>, <c>redis</c>.</summary>
    public IReadOnlyList<string> LeaderboardIndexes { get; set; } = ["embedded", "redis"];

    /// <summary>
    /// Measured score updates of the leaderboard scenario (one at a time): 3,000, so its p99 is the 30th slowest and
    /// moves little between runs (of 500 it was the 5th, and one slow pause more or less moved it by milliseconds).
    /// </summary>
    public int LeaderboardUpdates { get; set; } = 3_000;

    /// <summary>
    /// When set, the leaderboard scenario profiles its measured updates into this folder: <c>perf record</c> of the server
    /// and Redis over exactly that window, a marker file with the pids and the window's times, and each update's time.
    /// </summary>
    public string? ProfileFolder { get; set; }

    /// <summary>Members checking in and out in a closed loop on one venue.</summary>
    public int CheckinMembers { get; set; } = 20;

    /// <summary>Concurrent bidders on the one hot auction.</summary>
    public int Bidders { get; set; } = 10;

    /// <summary>Friends of the feed scenario's reader (each posts <see cref="ActivitiesPerFriend"/>).</summary>
    public int Friends { get; set; } = 1_000;

    /// <summary>Activities each friend of the feed scenario posts.</summary>
    public int ActivitiesPerFriend { get; set; } = 5;

    /// <summary>
    /// Activities the feed scenario seeds in all (bulk SQL): 0 means <see cref="Friends"/> × (<see cref="ActivitiesPerFriend"/>
    /// + 1). <c>--feed-issue</c> sets issue 16's sizes: 5,000 friends and 1,000,000 activities.
    /// </summary>
    public int FeedActivities { get; set; }

    /// <summary>Dashboards watching the venue of the check-ins scenario.</summary>
    public int Dashboards { get; set; } = 2;

    /// <summary>
    /// Users the events scenario posts for (spread over the workers; at least one per worker). Up to
    /// <see cref="MaxWatchedEventUsers"/> of them have their <c>user:</c> channel subscribed and their deliveries measured.
    /// </summary>
    public int EventUsers { get; set; } = 4;

    /// <summary>
    /// Events per <c>POST /api/events</c> of the events scenario's second measured step (0: none): the same workers then post
    /// batches of this many events (an app backend forwarding its events in batches), reported as <c>event_batch_…</c>
    /// beside the single-event figures, which it never replaces.
    /// </summary>
    public int EventBatch { get; set; }

    /// <summary>Closed-loop workers posting the batches of <see cref="EventBatch"/> (an app backend or two, not one per user).</summary>
    public int EventBatchWorkers { get; set; } = 2;

    /// <summary>Users of the events scenario whose deliveries are watched and measured.</summary>
    public const int MaxWatchedEventUsers = 200;

    /// <summary>The events scenario stores issue 15's rule set (10 XP rules, 20 achievements, 3 quests, 2 streaks, 3 boards)
    /// instead of the small one (3 rules, 2 achievements, 3 boards).</summary>
    public bool RealisticRules { get; set; }

    /// <summary>
    /// The events scenario's users all join alike (one event each, the same XP, every workout 2.5 km) and so advance in
    /// lock-step, tied on every board: the worst case for <c>overtaken</c> (every move passes a whole tie). Without it (the
    /// default) they join with a long-tailed spread of prior XP and km and every workout has its own distance.
    /// </summary>
    public bool EventLockstep { get; set; }

    /// <summary>Auctions of the auction scenario's second part (each with <see cref="BiddersPerAuction"/> bidders); 0 skips it.</summary>
    public int Auctions { get; set; }

    /// <summary>Bidders on each auction of the second part: the same users bid on every auction, so one balance funds many holds.</summary>
    public int BiddersPerAuction { get; set; } = 20;

    /// <summary>Where the feature scenarios run: <c>sqlite</c>, <c>postgres</c>, <c>two-nodes</c> (auction only).</summary>
    public IReadOnlyList<string> Databases { get; set; } = ["sqlite"];

    /// <summary>Extra runs on SQLite with settings changed (name → environment), for before/after ratios in one run.</summary>
    public IReadOnlyList<(string Name, IReadOnlyDictionary<string, string> Env)> Variants { get; set; } = [];

    /// <summary>Measured reads of a leaderboard or feed page (one at a time).</summary>
    public int FeatureReads { get; set; } = 500;

    /// <summary>The whole run's bound; scenarios still running then are cancelled.</summary>
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The quick preset: small N, one round, short steps.</summary>
    public static BenchSettings QuickPreset() => new()
    {
        Quick = true,
        Rounds = 1,
        IdleLevels = [200, 500],
        Subscribers = 100,
        Rates = [10, 50, 200],
        StepDuration = TimeSpan.FromSeconds(1),
        EchoRoundTrips = 300,
        StormClients = 100,
        StormMissed = 20,
        MaxDuration = TimeSpan.FromMinutes(5),
        FeatureWorkers = 2,
        BoardEntries = 200,
        CheckinMembers = 4,
        Bidders = 3,
        Friends = 20,
        ActivitiesPerFriend = 20,
        FeatureReads = 30,
        LeaderboardEntries = 2_000,
        LeaderboardUpdates = 30,
        SoakDuration = TimeSpan.FromSeconds(4),
        SoakClients = 20,
    };

    /// <summary>
    /// The issues' bench sizes (15, 17, 19): 200 members and 10 dashboards, one auction of 50 bidders then 100 × 20,
    /// 10,000 users with the realistic rule set and 16 workers; SQLite, PostgreSQL and two nodes.
    /// </summary>
    public static void ApplyIssueSize(BenchSettings settings)
    {
        settings.CheckinMembers = 200;
        settings.Dashboards = 10;
        settings.Bidders = 50;
        settings.Auctions = 100;
        settings.BiddersPerAuction = 20;
        settings.EventUsers = 10_000;
        settings.RealisticRules = true;
        settings.FeatureWorkers = 16;
        settings.Databases = [FeatureDeployment.Sqlite, FeatureDeployment.Postgres, FeatureDeployment.TwoNodes];
    }

    /// <summary>Usage text.</summary>
    public const string Usage = """
        usage: Hubbub.Bench <scenario|all> [options]
               Hubbub.Bench chaos [--quick] [options]   (faults under load; `chaos --help` for its options)
          scenarios: idle, fanout, echo, publish, recovery-storm, chat, cluster, outbox, events, checkins, auction,
                     feed, leaderboard
                     (comma-separated) or all
          --quick               small N, 1 round, short steps (a smoke run of a few seconds per scenario)
          --rounds N            rounds, servers interleaved within each (default 3)
          --servers a,b         hubbub,kestrel,signalr (default all three)
          --out DIR             results folder (default bench/results)
          --idle-levels a,b     idle connection counts (default 1000,5000,10000)
          --subscribers N       fan-out subscribers (default 1000)
          --rates a,b           fan-out ladder, msgs/s (default 10,20,50,100,200,300,500,750,1000)
          --step-seconds S      seconds per ladder step (default 3)
          --echo-count N        measured echo/publish round trips per round (default 10000; at least 7 rounds)
          --keep-climbing       run every ladder step even after a failed one (fixed-rate comparisons)
          --workers N           closed-loop workers of outbox/events and the publish baseline (default 4)
          --board-entries N     leaderboard entries the events scenario reads (default 10000)
          --leaderboard-entries N  entries of the leaderboard scenario's board (default 1000000)
          --leaderboard-indexes L  the leaderboard scenario's indexes, of embedded,redis (default both)
          --leaderboard-updates N  measured score updates of the leaderboard scenario (default 3000)
          --profile DIR         the leaderboard scenario's measured updates profiled into DIR: `perf record -g` of the
                                server (run with DOTNET_PerfMapEnabled=1) and Redis over exactly that window, a marker
                                file (pids, start and stop), and each update's start, time and whether it passed others
          --members N           venue members checking in and out (default 20)
          --bidders N           bidders on the hot auction (default 10)
          --friends N           friends of the feed reader (default 1000), --activities N each (default 5)
          --feed-activities N   activities the feed scenario seeds in all (default friends × (activities + 1))
          --feed-issue          the feed at issue 16's sizes: 5000 friends, 1,000,000 activities
          --reads N             measured leaderboard/feed reads (default 500)
          --issue-size          the issues' bench sizes: --members 200 --dashboards 10 --bidders 50 --auctions 100
                                --auction-bidders 20 --event-users 10000 --realistic-rules --workers 16
                                --databases sqlite,postgres,two-nodes (later options override)
          --dashboards N        dashboards watching the check-ins venue (default 2)
          --event-users N       users the events scenario posts for (default 4)
          --realistic-rules     issue 15's rule set in the events scenario
          --event-lockstep      the events scenario's users join alike and advance tied (every workout 2.5 km; the
                                worst case for overtaken) instead of with a long-tailed spread of prior XP and km
          --event-batch N       the events scenario also posts batches of N events (1-100; its event_batch_* figures
                                beside the single-event ones; default 0: single events only)
          --event-batch-workers N  workers posting those batches in a closed loop (default 2)
          --auctions N          auctions of the auction scenario's second part (default 0: none)
          --auction-bidders N   bidders on each of those auctions (default 20)
          --databases a,b       sqlite, postgres, two-nodes (feature scenarios; default sqlite; PostgreSQL from
                                HUBBUB_BENCH_POSTGRES or HUBBUB_TEST_POSTGRES, a fresh database per server start)
          --variant NAME:K=V;K=V  also run the feature scenarios on SQLite with these server settings, reported as
                                "<scenario> sqlite-NAME" (e.g. before:Storage__SqliteQueueWriters=false); repeatable
          --gen0-budget-variant MIB  a --variant "gen0-MIBm" whose server runs with a gen0 budget of MIB MiB
                                (DOTNET_GCGen0MaxBudget in hex; the shipped budget is 2 MiB); repeatable
          --max-minutes M       bound on the whole run (default 30; a soak's own length is added)
          --idle-hold-seconds S hold the highest idle level S seconds with heartbeats on before closing (default 0)
          --idle-warmup N       connections opened and closed before the idle levels (default 50; e.g. 2000 to
                                measure connects after tiered compilation has settled)
          --idle-client raw|ws  the idle scenario's client: raw (default; a raw-socket WebSocket client with its
                                upgrade heads and tokens made before the measured connects) or ws (ClientWebSocket)
          --idle-subscribe connect|frame|none  how the raw client subscribes Hubbub connections to their own
                                channel: connect (default; subscribe= on the upgrade, answered in the welcome), frame
                                (a subscribe frame after the welcome, as older clients do; the only form builds
                                before 2026-12-07 know) or none (the welcome only, no subscription)
          --soak-minutes M      `soak` (named only, not in all): minutes of connection churn (default 30)
          --soak-clients N      clients of the soak (default 1000)
        """;

    /// <summary>Parses the command line; returns null with an error message on bad input.</summary>
    public static BenchSettings? Parse(string[] args, out string? error)
    {
        error = null;
        if (args.Length == 0 || args[0].StartsWith('-'))
        {
            error = "name a scenario or all";
            return null;
        }
        var quick = args.Contains("--quick");
        var settings = quick ? QuickPreset() : new BenchSettings();
        if (args.Contains("--issue-size"))
        {
            ApplyIssueSize(settings);
        }
        var variants = new List<(string, IReadOnlyDictionary<string, string>)>();
        var names = args[0] == "all" ? AllScenarios : args[0].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var name in names)
        {
            if (!AllScenarios.Contains(name) && !NamedOnlyScenarios.Contains(name))
            {
                error = $"unknown scenario '{name}'";
                return null;
            }
        }
        settings.Scenarios = names;
        for (var i = 1; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg == "--quick")
            {
                continue;
            }
            if (arg == "--feed-issue")
            {
                (settings.Friends, settings.FeedActivities) = (5_000, 1_000_000);
                continue;
            }
            if (arg == "--keep-climbing")
            {
                settings.KeepClimbing = true;
                continue;
            }
            if (arg == "--issue-size")
            {
                continue;
            }
            if (arg == "--event-lockstep")
            {
                settings.EventLockstep = true;
                continue;
            }
            if (arg == "--realistic-rules")
            {
                settings.RealisticRules = true;
                continue;
            }
            if (i + 1 >= args.Length)
            {
                error = $"{arg} needs a value";
                return null;
            }
            var value = args[++i];
            try
            {
                switch (arg)
                {
                    case "--rounds": settings.Rounds = Positive(value); break;
                    case "--servers": settings.Servers = ParseServers(value); break;
                    case "--out": settings.OutputFolder = Path.GetFullPath(value); break;
                    case "--idle-levels": settings.IdleLevels = [.. Ints(value).Order()]; break;
                    case "--subscribers": settings.Subscribers = Positive(value); break;
                    case "--rates": settings.Rates = [.. Ints(value).Order()]; break;
                    case "--echo-count": settings.EchoRoundTrips = Positive(value); break;
                    case "--step-seconds": settings.StepDuration = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)); break;
                    case "--workers": settings.FeatureWorkers = Positive(value); break;
                    case "--board-entries": settings.BoardEntries = Positive(value); break;
                    case "--leaderboard-entries": settings.LeaderboardEntries = Positive(value); break;
                    case "--leaderboard-indexes": settings.LeaderboardIndexes = ParseIndexes(value); break;
                    case "--leaderboard-updates": settings.LeaderboardUpdates = Positive(value); break;
                    case "--profile": settings.ProfileFolder = Path.GetFullPath(value); break;
                    case "--members": settings.CheckinMembers = Positive(value); break;
                    case "--bidders": settings.Bidders = Positive(value); break;
                    case "--friends": settings.Friends = Positive(value); break;
                    case "--activities": settings.ActivitiesPerFriend = Positive(value); break;
                    case "--feed-activities": settings.FeedActivities = Positive(value); break;
                    case "--reads": settings.FeatureReads = Positive(value); break;
                    case "--dashboards": settings.Dashboards = Positive(value); break;
                    case "--event-users": settings.EventUsers = Positive(value); break;
                    case "--event-batch-workers": settings.EventBatchWorkers = Positive(value); break;
                    case "--event-batch": settings.EventBatch = int.Parse(value, CultureInfo.InvariantCulture) is >= 0 and <= 100 and var b ? b : throw new FormatException(); break;
                    case "--auctions": settings.Auctions = int.Parse(value, CultureInfo.InvariantCulture) is >= 0 and var a ? a : throw new FormatException(); break;
                    case "--auction-bidders": settings.BiddersPerAuction = Positive(value); break;
                    case "--databases": settings.Databases = ParseDatabases(value); break;
                    case "--variant": variants.Add(ParseVariant(value)); settings.Variants = [.. variants]; break;
                    case "--gen0-budget-variant": variants.Add(Gen0BudgetVariant(Positive(value))); settings.Variants = [.. variants]; break;
                    case "--max-minutes": settings.MaxDuration = TimeSpan.FromMinutes(double.Parse(value, CultureInfo.InvariantCulture)); break;
                    case "--idle-hold-seconds": settings.IdleHold = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)); break;
                    case "--idle-warmup": settings.IdleWarmup = Positive(value); break;
                    case "--idle-client": settings.IdleClient = value is "raw" or "ws" ? value : throw new FormatException(); break;
                    case "--idle-subscribe": settings.IdleSubscribe = value is "connect" or "frame" or "none" ? value : throw new FormatException(); break;
                    case "--soak-minutes": settings.SoakDuration = TimeSpan.FromMinutes(double.Parse(value, CultureInfo.InvariantCulture)); break;
                    case "--soak-clients": settings.SoakClients = Positive(value); break;
                    default:
                        error = $"unknown option '{arg}'";
                        return null;
                }
            }
            catch (FormatException e)
            {
                error = $"{arg}: '{value}' is not valid" + (e is ExplainedFormatException ? $" ({e.Message})" : "");
                return null;
            }
        }
        if (settings.Scenarios.Contains("soak"))
        {
            // The soak's own length comes on top of the bound, so --soak-minutes alone is enough.
            settings.MaxDuration += settings.SoakDuration;
        }
        return settings;
    }

    private static string[] ParseDatabases(string value) =>
        [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => FeatureDeployment.Databases.Contains(d) ? d : throw new FormatException())];

    private static string[] ParseIndexes(string value) =>
        [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(i => i is "embedded" or "redis" ? i : throw new FormatException())];

    /// <summary><c>NAME:KEY=VALUE;KEY=VALUE</c>, keys as environment variables (<c>Storage__SqliteQueueWriters</c>).</summary>
    private static (string, IReadOnlyDictionary<string, string>) ParseVariant(string value)
    {
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw new FormatException();
        }
        var env = new Dictionary<string, string>();
        foreach (var pair in value[(colon + 1)..].Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException();
            }
            var (key, setting) = (pair[..eq], pair[(eq + 1)..]);
            CheckGen0Budget(key, setting);
            env[key] = setting;
        }
        return env.Count > 0 ? (value[..colon], env) : throw new FormatException();
    }

    /// <summary>The runtime's environment name of the gen0 budget, exactly so spelled (Linux's names are case-sensitive).</summary>
    private const string Gen0BudgetVariable = "DOTNET_GCGen0MaxBudget";

    /// <summary>A variant whose server runs with a gen0 budget of <paramref name="mib"/> MiB.</summary>
    private static (string, IReadOnlyDictionary<string, string>) Gen0BudgetVariant(int mib) =>
        ($"gen0-{mib}m", new Dictionary<string, string>
        {
            [Gen0BudgetVariable] = "0x" + ((long)mib * 1024 * 1024).ToString("x", CultureInfo.InvariantCulture),
        });

    /// <summary>
    /// Refuses the two spellings of the gen0 budget the runtime reads otherwise than meant, which left a variant measuring
    /// the shipped budget: another case (<c>DOTNET_GCgen0MaxBudget</c> is not read at all on Linux) and a value without
    /// <c>0x</c> (the runtime reads it as hexadecimal: 67108864 is 0x67108864, 1.6 GiB).
    /// </summary>
    private static void CheckGen0Budget(string key, string setting)
    {
        if (!key.Equals(Gen0BudgetVariable, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }
        if (!key.Equals(Gen0BudgetVariable, StringComparison.Ordinal))
        {
            throw new ExplainedFormatException($"the runtime reads {Gen0BudgetVariable} spelled exactly so");
        }
        if (!setting.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            throw new ExplainedFormatException($"{Gen0BudgetVariable} is read as hexadecimal: write it with 0x");
        }
    }

    /// <summary>A setting refused with the reason, shown beside the option.</summary>
    private sealed class ExplainedFormatException(string message) : FormatException(message);

    private static int Positive(string value)
    {
        var n = int.Parse(value, CultureInfo.InvariantCulture);
        return n > 0 ? n : throw new FormatException();
    }

    private static int[] Ints(string value) =>
        [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Positive)];

    private static ServerKind[] ParseServers(string value) =>
        [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => ServerKindNames.TryParse(s, out var k) ? k : throw new FormatException())];
}
