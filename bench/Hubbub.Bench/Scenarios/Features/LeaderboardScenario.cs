using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Hubbub.Bench.Clients;
using Hubbub.Bench.Infra;
using Hubbub.Bench.Measure;
using Hubbub.Bench.Results;
using Microsoft.Data.Sqlite;

namespace Hubbub.Bench.Scenarios.Features;

/// <summary>
/// <c>leaderboard</c> (Hubbub only): one board (<c>set</c>, <c>desc</c>, all-time) of
/// <see cref="BenchSettings.LeaderboardEntries"/> users, ranked by each index: the embedded default (SQLite, the
/// in-memory index) and, when redis-server is installed, Redis (SQLite for the rows, the sorted set in a redis-server of
/// the run). The rows are written straight into the server's SQLite file in one transaction (after the server created
/// its tables and the board): user i scores a permutation of 1…N. The first read builds the index from the database
/// (timed); the server's RSS (and Redis's used_memory) before and after give the memory per entry. Then, one call at a
/// time, after 5 s of warm-up updates: <see cref="BenchSettings.LeaderboardUpdates"/> score updates (<c>POST /api/events</c>
/// setting a random user's score to a random k + ½; also apart, those that passed others and the rest, and the server's
/// CPU per update), around-me reads (<c>GET …/around/{user}?limit=5</c>: the first run of them cold, right after the
/// updates, then a second run measured warm) and top-10 reads, each p50/p99 beside a bare
/// <c>POST /api/publish</c> of the same server. Beside the whole update, the index's own share of it: the server's <c>hubbub_leaderboard_index_seconds</c>
/// histogram read before and after the measured updates (applies and rank reads per update, and the bucket bounds holding
/// their p50 and p99). Checks: every update's rank and previous rank, and every read's ranks, against a Fenwick tree of
/// the scores the bench set (ties share a rank: 1 + the strictly better). <c>--leaderboard-indexes</c> picks the indexes;
/// each <c>--variant</c> runs beside the defaults on each index (labels <c>embedded-NAME</c>, <c>redis-NAME</c>).
/// </summary>
public sealed class LeaderboardScenario : IScenario
{
    private const string Board = "bench-lb";
    private const string EventType = "bench.points";

    /// <inheritdoc />
    public string Name => "leaderboard";

    /// <inheritdoc />
    public bool Supports(ServerKind kind) => kind == ServerKind.Hubbub;

    /// <inheritdoc />
    public string? PendingReason() => null;

    /// <inheritdoc />
    public async Task RunAsync(ScenarioContext context, ServerKind kind, int round, CancellationToken cancellationToken)
    {
        // Each --variant runs beside the defaults on each index, alternating which goes first from round to round, so a
        // before/after pair shares the machine's load.
        var runs = new List<(string Suffix, IReadOnlyDictionary<string, string> Env)> { ("", new Dictionary<string, string>()) };
        runs.AddRange(context.Settings.Variants.Select(v => ("-" + v.Name, v.Env)));
        if (round % 2 == 0)
        {
            runs.Reverse();
        }
        foreach (var index in context.Settings.LeaderboardIndexes)
        {
            foreach (var (suffix, variantEnv) in runs)
            {
                if (index == "embedded")
                {
                    await RunIndexAsync(context, kind, round, "embedded" + suffix, redis: null, variantEnv, cancellationToken);
                }
                else if (RedisServer.Available())
                {
                    await using var redis = await RedisServer.StartAsync(cancellationToken);
                    await RunIndexAsync(context, kind, round, "redis" + suffix, redis, variantEnv, cancellationToken);
                }
            }
        }
    }

    private async Task RunIndexAsync(ScenarioContext context, ServerKind kind, int round, string label, RedisServer? redis,
        IReadOnlyDictionary<string, string> variantEnv, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        var n = settings.LeaderboardEntries;
        var folder = Directory.CreateTempSubdirectory("hubbub-bench-lb").FullName;
        var env = new Dictionary<string, string>(variantEnv) { ["Hubbub__DataDirectory"] = folder };
        if (settings.ProfileFolder is not null)
        {
            foreach (var (key, value) in ProfileWindow.ServerEnvironment)
            {
                env[key] = value;
            }
        }
        if (redis is not null)
        {
            env["ConnectionStrings__Redis"] = $"127.0.0.1:{redis.Port}";
        }
        try
        {
            await using var server = await context.StartAsync(kind, cancellationToken, env);
            using var api = new ServerApi(server);
            (await api.PostAsync("/api/leaderboards", $$"""{"key":"{{Board}}","name":"Bench","source":"{{EventType}}:points","operator":"set"}""",
                cancellationToken)).EnsureOk("POST /api/leaderboards");

            context.Status($"leaderboard round {round} ({label}): seeding {n} entries");
            var seeding = Stopwatch.StartNew();
            Seed(Path.Combine(folder, "hubbub.db"), n);
            seeding.Stop();
            var model = new ScoreModel(n);

            context.Status($"leaderboard round {round} ({label}): building the index");
            var rssBefore = server.Sample().RssBytes;
            var redisBefore = redis is null ? 0 : await RedisUsedMemoryAsync(redis, cancellationToken);
            var build = Stopwatch.StartNew();
            var lowest = Enumerable.Range(0, n).First(i => SeedScore(i, n) == 1);
            bool first;
            while (true)
            {
                try
                {
                    first = await AroundAsync(api, lowest, model, cancellationToken);
                    break;
                }
                catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested && build.Elapsed < TimeSpan.FromMinutes(5))
                {
                    // The client gave up (30 s) while the build went on: the next read waits for the same build.
                }
            }
            build.Stop();
            await Task.Delay(500, cancellationToken); // let the build's garbage go before reading the RSS
            var rssAfter = server.Sample().RssBytes;
            var redisAfter = redis is null ? 0 : await RedisUsedMemoryAsync(redis, cancellationToken);

            context.Status($"leaderboard round {round} ({label}): bare publish");
            var baseline = await ClosedLoop.PublishBaselineAsync(api, 1, settings.StepDuration, _ => "public:bench-baseline", cancellationToken);

            var random = new Random(round * 31 + label.Length);
            context.Status($"leaderboard round {round} ({label}): updates and reads");
            var split = new UpdateSplit();
            // Warm-up: 5 s of updates (a tenth of the measured ones in --quick). With 300 the runtime was still compiling
            // (its tiered-compilation thread took 8–10 % of the server's CPU during the measured updates on 2 cores).
            var warm = await ClosedLoop.RunAsync(1, settings.Quick ? TimeSpan.FromMinutes(1) : TimeSpan.FromSeconds(5),
                settings.Quick ? Math.Max(5, settings.LeaderboardUpdates / 10) : long.MaxValue,
                (_, _, ct) => UpdateAsync(api, random.Next(n), random.Next(n) + 0.5, model, null, ct), cancellationToken);
            var indexLabel = redis is null ? "memory" : "redis";
            var indexBefore = await IndexHistogramAsync(api, indexLabel, cancellationToken);
            var runtimeBefore = await ServerGcTotals.ReadAsync(api, cancellationToken);
            var redisCallsBefore = redis is null ? null : await RedisCommandStatsAsync(redis, cancellationToken);
            var profile = settings.ProfileFolder is null ? null : await ProfileWindow.StartAsync(settings.ProfileFolder,
                $"{label}-r{round}", redis is null ? [server.Pid] : [server.Pid, redis.Pid], cancellationToken);
            split.Trace = profile is null ? null : [];
            var updates = await ClosedLoop.RunAsync(1, TimeSpan.FromMinutes(5), settings.LeaderboardUpdates,
                (_, _, ct) => UpdateAsync(api, random.Next(n), random.Next(n) + 0.5, model, split, ct), cancellationToken, [server]);
            if (profile is not null)
            {
                await profile.DisposeAsync();
                await File.WriteAllLinesAsync(Path.Combine(settings.ProfileFolder!, $"{label}-r{round}-updates.csv"),
                    ["start_unix_us,took_us,passing", .. split.Trace!.Select(t => FormattableString.Invariant($"{t.StartUnixUs},{t.TookUs},{(t.Passing ? 1 : 0)}"))],
                    cancellationToken);
            }
            var redisCallsAfter = redis is null ? null : await RedisCommandStatsAsync(redis, cancellationToken);
            var runtimeAfter = await ServerGcTotals.ReadAsync(api, cancellationToken);
            var indexAfter = await IndexHistogramAsync(api, indexLabel, cancellationToken);
            // The around-me reads twice: first as they come right after the updates (the path's first calls since the
            // build's read, compiled as they run, beside the updates' leftover work: the figure measured until
            // 2026-12-06 13:00, kept as around_cold), then the same number again, measured as the updates are, after a
            // warm-up. A per-read trace showed the cold run's tail in its first ~150 reads (0.5 ms each after them).
            var aroundCold = await GamificationEventsScenario.ReadsAsync(settings.FeatureReads,
                ct => AroundAsync(api, random.Next(n), model, ct), cancellationToken);
            var around = await GamificationEventsScenario.ReadsAsync(settings.FeatureReads,
                ct => AroundAsync(api, random.Next(n), model, ct), cancellationToken);
            var top = await GamificationEventsScenario.ReadsAsync(settings.FeatureReads, ct => TopAsync(api, model, ct), cancellationToken);

            var r = context.Results;
            var p = label + "_";
            r.Add(Name, kind, round, "entries", n, "users", Better.None);
            r.Add(Name, kind, round, p + "seed_s", seeding.Elapsed.TotalSeconds, "s", Better.None);
            r.Add(Name, kind, round, p + "index_build_s", build.Elapsed.TotalSeconds, "s", Better.Lower);
            r.Add(Name, kind, round, p + "server_rss_per_entry_bytes", (rssAfter - rssBefore) / (double)n, "B", Better.Lower);
            if (redis is not null)
            {
                r.Add(Name, kind, round, p + "redis_memory_per_entry_bytes", (redisAfter - redisBefore) / (double)n, "B", Better.Lower);
            }
            r.Add(Name, kind, round, p + "baseline_publish_p50_ms", baseline.P50Ms, "ms", Better.Lower);
            r.Add(Name, kind, round, p + "baseline_publish_p99_ms", baseline.P99Ms, "ms", Better.Lower);
            foreach (var (name, outcome) in new[] { ("update", updates), ("around_cold", aroundCold), ("around", around), ("top10", top) })
            {
                r.Add(Name, kind, round, $"{p}{name}_p50_ms", outcome.P50Ms, "ms", Better.Lower);
                r.Add(Name, kind, round, $"{p}{name}_p99_ms", outcome.P99Ms, "ms", Better.Lower);
                r.Add(Name, kind, round, $"{p}{name}_p99_vs_baseline", outcome.P99Ms / baseline.P99Ms, "×", Better.Lower);
            }
            // The updates apart: those that passed others (an overtaken notice and publication to each of up to ten users)
            // and the rest (the user's own publications only); and the server's CPU per update, steadier than times on a
            // shared machine.
            r.Add(Name, kind, round, p + "updates_measured", updates.Done + updates.Refused, "calls", Better.None);
            r.Add(Name, kind, round, p + "update_server_cpu_us", updates.CpuPerOperation ?? double.NaN, "µs", Better.Lower);
            // The server's garbage collector during the measured updates (its System.Runtime meters on /metrics): what it
            // allocated and paused per update, and its collections per 1,000 updates.
            var measured = Math.Max(1, updates.Done + updates.Refused);
            r.Add(Name, kind, round, p + "update_gc_pause_ms", (runtimeAfter.PauseSeconds - runtimeBefore.PauseSeconds) * 1000 / measured, "ms", Better.Lower);
            r.Add(Name, kind, round, p + "update_allocated_kib", (runtimeAfter.Allocated - runtimeBefore.Allocated) / 1024.0 / measured, "KiB", Better.Lower);
            for (var g = 0; g < 3; g++)
            {
                r.Add(Name, kind, round, $"{p}update_gen{g}_per_1000", (runtimeAfter.Collections[g] - runtimeBefore.Collections[g]) * 1000.0 / measured, "", Better.Lower);
            }
            // How long one collection paused the server, and the updates' tail beyond the p99: a larger gen0 budget makes
            // fewer collections (fewer updates meet one: the p99) but each of them longer (the p99.9 and the slowest).
            var collections = Enumerable.Range(0, 3).Sum(g => runtimeAfter.Collections[g] - runtimeBefore.Collections[g]);
            r.Add(Name, kind, round, p + "update_gc_pause_per_collection_ms",
                collections == 0 ? double.NaN : (runtimeAfter.PauseSeconds - runtimeBefore.PauseSeconds) * 1000 / collections, "ms", Better.Lower);
            r.Add(Name, kind, round, p + "update_p999_ms", split.All.Percentile(99.9) / 1000.0, "ms", Better.Lower);
            r.Add(Name, kind, round, p + "update_max_ms", split.All.MaxMicroseconds / 1000.0, "ms", Better.Lower);
            foreach (var (name, latency) in new[] { ("passing", split.Passing), ("not_passing", split.Other) })
            {
                r.Add(Name, kind, round, $"{p}update_{name}_share", latency.Count / (double)Math.Max(1, updates.Done + updates.Refused), "", Better.None);
                r.Add(Name, kind, round, $"{p}update_{name}_p50_ms", latency.Percentile(50) / 1000.0, "ms", Better.Lower);
                r.Add(Name, kind, round, $"{p}update_{name}_p99_ms", latency.Percentile(99) / 1000.0, "ms", Better.Lower);
            }
            // The index's own share of those updates, as the server timed it (hubbub_leaderboard_index_seconds): each
            // percentile is the upper bound of the histogram bucket it falls in.
            foreach (var op in new[] { "apply", "rank" })
            {
                var (count, p50, p99) = IndexPercentiles(indexBefore, indexAfter, op);
                r.Add(Name, kind, round, $"{p}index_{op}_per_update", count / (double)Math.Max(1, settings.LeaderboardUpdates), "ops", Better.None);
                r.Add(Name, kind, round, $"{p}index_{op}_p50_le_ms", p50, "ms", Better.Lower);
                r.Add(Name, kind, round, $"{p}index_{op}_p99_le_ms", p99, "ms", Better.Lower);
            }
            if (redisCallsBefore is not null && redisCallsAfter is not null)
            {
                // Redis' side of the measured updates, load-independent: the scripts the server ran per update (each a
                // round trip: nothing else of the update's path goes to Redis), every command per update (the scripts' own
                // commands included) and Redis' CPU in the scripts per update (commandstats' usec).
                var (scripts, commands, scriptUsec) = RedisPerUpdate(redisCallsBefore, redisCallsAfter, measured);
                r.Add(Name, kind, round, p + "redis_scripts_per_update", scripts, "calls", Better.Lower);
                r.Add(Name, kind, round, p + "redis_commands_per_update", commands, "calls", Better.Lower);
                r.Add(Name, kind, round, p + "redis_script_us_per_update", scriptUsec, "µs", Better.Lower);
            }
            r.Add(Name, kind, round, p + "wrong_answers", (first ? 0 : 1) + warm.Refused + updates.Refused + aroundCold.Refused + around.Refused + top.Refused,
                "calls", Better.Lower);
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // a file still held open: the temp folder is left to the system
            }
        }
    }

    private static string User(int i) => $"lb{i}";

    /// <summary>User i's seeded score: 1 + (i·7919 mod N), a permutation of 1…N (7919 is prime and N is not its multiple).</summary>
    private static long SeedScore(int i, int n) => 1 + ((long)i * 7919 % n);

    /// <summary>Writes the N rows straight into the server's SQLite file, as the event pipeline would have stored them (version 1).</summary>
    private static void Seed(string database, int n)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA busy_timeout = 30000;";
            pragma.ExecuteNonQuery();
        }
        using var transaction = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO gam_scores (board, period_key, user_id, score, reached_ms, version) VALUES ($board, 'all', $user, $score, $reached, 1)";
        insert.Parameters.AddWithValue("$board", Board);
        var user = insert.Parameters.Add("$user", SqliteType.Text);
        var score = insert.Parameters.Add("$score", SqliteType.Real);
        var reached = insert.Parameters.Add("$reached", SqliteType.Integer);
        insert.Prepare();
        for (var i = 0; i < n; i++)
        {
            user.Value = User(i);
            score.Value = (double)SeedScore(i, n);
            reached.Value = 1_700_000_000_000L + i;
            insert.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    private static async Task<bool> UpdateAsync(ServerApi api, int user, double score, ScoreModel model, UpdateSplit? split, CancellationToken ct)
    {
        var body = string.Create(CultureInfo.InvariantCulture,
            $$$"""{"id":"u-{{{Guid.NewGuid():N}}}","user":"{{{User(user)}}}","type":"{{{EventType}}}","data":{"points":{{{score}}}}}""");
        var start = Stopwatch.GetTimestamp();
        var answer = (await api.PostAsync("/api/events", body, ct)).EnsureOk("POST /api/events");
        var took = (long)Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        var (previous, rank) = model.Set(user, score);
        (rank < previous ? split?.Passing : split?.Other)?.Record(took);
        split?.All.Record(took);
        split?.Trace?.Add((DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000 - took, took, rank < previous));
        using var json = answer.Json();
        var boards = json.RootElement.GetProperty("effects").GetProperty("leaderboards");
        if (previous == rank && model.SameScore)
        {
            return boards.GetArrayLength() == 0;
        }
        var effect = boards[0];
        return effect.GetProperty("rank").GetInt64() == rank && effect.GetProperty("previous_rank").GetInt64() == previous;
    }

    private static async Task<bool> AroundAsync(ServerApi api, int user, ScoreModel model, CancellationToken ct)
    {
        var answer = (await api.GetAsync($"/api/leaderboards/{Board}/around/{User(user)}?limit=5", ct)).EnsureOk("around");
        using var json = answer.Json();
        return Ranked(json.RootElement, model) && json.RootElement.GetProperty("entries").EnumerateArray()
            .Any(e => e.GetProperty("user").GetString() == User(user) && e.GetProperty("rank").GetInt64() == model.RankOf(model.Score(user)));
    }

    private static async Task<bool> TopAsync(ServerApi api, ScoreModel model, CancellationToken ct)
    {
        var answer = (await api.GetAsync($"/api/leaderboards/{Board}?limit=10", ct)).EnsureOk("top 10");
        using var json = answer.Json();
        var entries = json.RootElement.GetProperty("entries");
        return entries.GetArrayLength() == Math.Min(10, model.Count) && entries[0].GetProperty("rank").GetInt64() == 1 && Ranked(json.RootElement, model);
    }

    /// <summary>Every row's rank is 1 + the scores strictly better than its score.</summary>
    private static bool Ranked(JsonElement page, ScoreModel model) => page.GetProperty("entries").EnumerateArray()
        .All(e => e.GetProperty("rank").GetInt64() == model.RankOf(e.GetProperty("score").GetDouble()));

    /// <summary>The server's <c>hubbub_leaderboard_index_seconds</c> buckets of one index: (op, upper bound in s) → cumulative count.</summary>
    private static async Task<Dictionary<(string Op, double Le), long>> IndexHistogramAsync(ServerApi api, string index, CancellationToken ct)
    {
        var text = (await api.GetAsync("/metrics", ct)).EnsureOk("GET /metrics").Body;
        var buckets = new Dictionary<(string, double), long>();
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith("hubbub_leaderboard_index_seconds_bucket{", StringComparison.Ordinal) || !line.Contains($"index=\"{index}\"", StringComparison.Ordinal))
            {
                continue;
            }
            var op = Label(line, "op");
            var le = Label(line, "le");
            var bound = le == "+Inf" ? double.PositiveInfinity : double.Parse(le, CultureInfo.InvariantCulture);
            buckets[(op, bound)] = (long)double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
        }
        return buckets;

        static string Label(string line, string name)
        {
            var start = line.IndexOf(name + "=\"", StringComparison.Ordinal) + name.Length + 2;
            return line[start..line.IndexOf('"', start)];
        }
    }

    /// <summary>Operations of <paramref name="op"/> between two readings, and the bucket bounds (ms) holding their p50 and p99 (the last finite bound when beyond it).</summary>
    private static (long Count, double P50, double P99) IndexPercentiles(Dictionary<(string Op, double Le), long> before,
        Dictionary<(string Op, double Le), long> after, string op)
    {
        var bounds = after.Keys.Where(k => k.Op == op).Select(k => k.Le).Order().ToList();
        var delta = bounds.Select(b => after[(op, b)] - before.GetValueOrDefault((op, b))).ToList();
        var count = delta.Count == 0 ? 0 : delta[^1];
        double At(double q)
        {
            for (var i = 0; i < bounds.Count; i++)
            {
                if (delta[i] >= q * count)
                {
                    return (double.IsInfinity(bounds[i]) && i > 0 ? bounds[i - 1] : bounds[i]) * 1000;
                }
            }
            return double.NaN;
        }
        return count == 0 ? (0, double.NaN, double.NaN) : (count, At(0.5), At(0.99));
    }

    /// <summary>Redis' <c>INFO commandstats</c>: command → (calls, usec).</summary>
    private static async Task<Dictionary<string, (long Calls, long Usec)>> RedisCommandStatsAsync(RedisServer redis, CancellationToken ct)
    {
        var stats = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        foreach (var line in (await RedisCliAsync(redis, ct, "INFO", "commandstats")).Split('\n'))
        {
            // cmdstat_evalsha:calls=12,usec=345,usec_per_call=28.75,rejected_calls=0,failed_calls=0
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (!line.StartsWith("cmdstat_", StringComparison.Ordinal) || colon < 0)
            {
                continue;
            }
            var fields = line[(colon + 1)..].Trim().Split(',').Select(f => f.Split('=')).Where(f => f.Length == 2)
                .ToDictionary(f => f[0], f => f[1], StringComparer.Ordinal);
            stats[line["cmdstat_".Length..colon]] = (long.Parse(fields["calls"], CultureInfo.InvariantCulture),
                long.Parse(fields["usec"], CultureInfo.InvariantCulture));
        }
        return stats;
    }

    /// <summary>Scripts (EVAL/EVALSHA: the round trips of the update's path), every command but the bench's INFO, and the scripts' usec, per update.</summary>
    private static (double Scripts, double Commands, double ScriptUsec) RedisPerUpdate(Dictionary<string, (long Calls, long Usec)> before,
        Dictionary<string, (long Calls, long Usec)> after, long updates)
    {
        string[] scriptCommands = ["eval", "evalsha", "eval_ro", "evalsha_ro"];
        long scripts = 0, commands = 0, usec = 0;
        foreach (var (command, now) in after)
        {
            var (calls, spent) = before.TryGetValue(command, out var was) ? (now.Calls - was.Calls, now.Usec - was.Usec) : now;
            if (command == "info")
            {
                continue;
            }
            commands += calls;
            if (scriptCommands.Contains(command))
            {
                scripts += calls;
                usec += spent;
            }
        }
        return (scripts / (double)updates, commands / (double)updates, usec / (double)updates);
    }

    private static async Task<string> RedisCliAsync(RedisServer redis, CancellationToken ct, params string[] command)
    {
        var info = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add("-p");
        info.ArgumentList.Add(redis.Port.ToString(CultureInfo.InvariantCulture));
        foreach (var arg in command)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start redis-cli");
        var output = await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return output;
    }

    private static async Task<long> RedisUsedMemoryAsync(RedisServer redis, CancellationToken ct)
    {
        var info = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "-p", redis.Port.ToString(CultureInfo.InvariantCulture), "INFO", "memory" })
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start redis-cli");
        var output = await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var line = output.Split('\n').First(l => l.StartsWith("used_memory:", StringComparison.Ordinal));
        return long.Parse(line["used_memory:".Length..].Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>The measured updates' round trips apart: those that passed others (a better rank) and the rest.</summary>
    private sealed class UpdateSplit
    {
        public LatencyHistogram All { get; } = new();

        public LatencyHistogram Passing { get; } = new();

        public LatencyHistogram Other { get; } = new();

        /// <summary>With <c>--profile</c>: each update's start (Unix µs), time (µs) and whether it passed others, in order.</summary>
        public List<(long StartUnixUs, long TookUs, bool Passing)>? Trace { get; set; }
    }

    /// <summary>
    /// The scores the bench set, counted in a Fenwick tree over twice the score (seeded scores are 1…N, updates k + ½),
    /// so a rank (1 + the strictly better) is O(log N).
    /// </summary>
    private sealed class ScoreModel
    {
        private readonly long[] _tree;
        private readonly double[] _scores;

        public ScoreModel(int n)
        {
            _tree = new long[2 * n + 3];
            _scores = new double[n];
            for (var i = 0; i < n; i++)
            {
                _scores[i] = SeedScore(i, n);
                Add(Slot(_scores[i]), 1);
            }
        }

        public int Count => _scores.Length;

        /// <summary>Whether the last <see cref="Set"/> left the score as it was.</summary>
        public bool SameScore { get; private set; }

        public double Score(int user) => _scores[user];

        public long RankOf(double score) => 1 + Count - Prefix(Slot(score));

        /// <summary>Sets a user's score; the user's rank before and after.</summary>
        public (long Previous, long Rank) Set(int user, double score)
        {
            var previous = RankOf(_scores[user]);
            SameScore = _scores[user] == score;
            Add(Slot(_scores[user]), -1);
            _scores[user] = score;
            Add(Slot(score), 1);
            return (previous, RankOf(score));
        }

        private static int Slot(double score) => (int)(score * 2) + 1;

        private void Add(int i, long delta)
        {
            for (; i < _tree.Length; i += i & -i)
            {
                _tree[i] += delta;
            }
        }

        /// <summary>Scores at slots ≤ <paramref name="i"/>.</summary>
        private long Prefix(int i)
        {
            long sum = 0;
            for (; i > 0; i -= i & -i)
            {
                sum += _tree[i];
            }
            return sum;
        }
    }
}
