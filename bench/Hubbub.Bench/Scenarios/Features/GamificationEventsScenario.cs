using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Hubbub.Bench.Clients;
using Hubbub.Bench.Infra;
using Hubbub.Bench.Measure;
using Hubbub.Bench.Results;

namespace Hubbub.Bench.Scenarios.Features;

/// <summary>
/// <c>events</c> (Hubbub only): gamification's pipeline. With three XP rules, two achievements and three leaderboards
/// stored, <see cref="BenchSettings.FeatureWorkers"/> workers post <c>POST /api/events</c> in a closed loop, each for
/// its own user whose <c>user:</c> channel is subscribed: events/s, the call's p50/p99, and the time from the call to
/// its <c>xp_gained</c> (every event gives XP, so the k-th <c>xp_gained</c> of a user answers its k-th event). Then a
/// board of <see cref="BenchSettings.BoardEntries"/> users (seeded in batches of 100) is read, top 10 and around a
/// user, one read at a time. Figures beside a bare <c>POST /api/publish</c> of the same run. Checks: one
/// <c>xp_gained</c> per event, and the board's ranks (distinct seeded scores 1…N: the lowest ranks N). At issue size
/// (<see cref="BenchSettings.EventUsers"/>, <see cref="BenchSettings.RealisticRules"/>) the events go to many users (each
/// joined first), of whom the first <see cref="BenchSettings.MaxWatchedEventUsers"/> are watched and measured. With
/// <see cref="BenchSettings.EventBatch"/> a second measured step posts batches of that many events, reported beside. On each
/// database of <see cref="BenchSettings.Databases"/> but two nodes, and each variant. At issue size the users join with a
/// long-tailed spread of prior XP and km (<see cref="Population"/>; <see cref="BenchSettings.EventLockstep"/>: all alike),
/// and the report gives the <c>overtaken</c> notices per measured event, told live (<c>hubbub_gamification_overtaken_total</c>)
/// and kept in inboxes (<c>hubbub_notifications_kept_total</c>), so the workload the figures are of is stated.
/// </summary>
public sealed class GamificationEventsScenario : IScenario
{
    private const string SeedBoard = "bench-seed";

    private const int WarmStep = 0;
    private const int SingleStep = 1;
    private const int BatchStep = 2;

    /// <inheritdoc />
    public string Name => "events";

    /// <inheritdoc />
    public bool Supports(ServerKind kind) => kind == ServerKind.Hubbub;

    /// <inheritdoc />
    public string? PendingReason() => null;

    /// <inheritdoc />
    public async Task RunAsync(ScenarioContext context, ServerKind kind, int round, CancellationToken cancellationToken)
    {
        await FeatureDeployment.ForEachRunAsync(context, kind, Name, supportsTwoNodes: false, new Dictionary<string, string>(),
            deployment => RunOnAsync(context, kind, round, deployment, cancellationToken), cancellationToken);
    }

    private static async Task RunOnAsync(ScenarioContext context, ServerKind kind, int round, FeatureDeployment deployment, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        var name = deployment.Label;
        var server = deployment.Nodes[0];
        var workers = settings.FeatureWorkers;
        // Users are spread over the workers (worker w posts for users w, w + workers, …), so each user's events are
        // sent one at a time and the k-th xp_gained of a user answers its k-th event. The first `watched` are subscribed.
        var users = Math.Max(settings.EventUsers, workers);
        var perWorker = users / workers;
        var watched = Math.Min(users, BenchSettings.MaxWatchedEventUsers);
        using var api = new ServerApi(server);
        var spread = settings.RealisticRules && !settings.EventLockstep;
        await DefineAsync(api, settings.RealisticRules, spread, cancellationToken);
        if (settings.RealisticRules)
        {
            context.Status($"{name} round {round}: {users} users join{(spread ? " with a spread of prior XP and km" : ", all alike")}");
            await SeedUsersAsync(api, users, spread, cancellationToken);
        }

        // Per watched user, the send time of each event in order, and the step it belongs to (0: warm-up, not measured).
        var sent = Enumerable.Range(0, watched).Select(_ => new ConcurrentQueue<(long Start, int Step)>()).ToArray();
        var delivery = new LatencyHistogram();
        var batchDelivery = new LatencyHistogram();
        var sink = new EventSink(watched, "xp_gained")
        {
            OnEvent = (i, _, _) =>
            {
                if (sent[i].TryDequeue(out var s) && s.Step != WarmStep)
                {
                    (s.Step == BatchStep ? batchDelivery : delivery).Record(Payload.MicrosecondsSince(s.Start));
                }
            },
        };
        var target = new HubbubTarget(server);
        var subscribers = await context.ConnectManyAsync(0, watched,
            (i, ct) => target.SubscribeAsync(User(i), i, $"user:{User(i)}", null, sink, ct), cancellationToken);
        try
        {
            context.Status($"{name} round {round}: bare publish");
            var baseline = await ClosedLoop.PublishBaselineAsync(api, workers, settings.StepDuration, _ => "public:bench-baseline", cancellationToken, deployment.Nodes);

            context.Status($"{name} round {round}: POST /api/events");
            var step = WarmStep;
            var phase = "warm";
            var nextOfWorker = new long[workers];
            long toWatched = 0;
            async Task<bool> PostEvent(int w, long n, CancellationToken ct)
            {
                var u = (int)(w + (workers * (nextOfWorker[w]++ % perWorker)));
                var body = EventBody($"{phase}-{n}", User(u), n, settings.RealisticRules, spread);
                if (u < watched)
                {
                    sent[u].Enqueue((Stopwatch.GetTimestamp(), step));
                    Interlocked.Increment(ref toWatched);
                }
                (await api.PostAsync("/api/events", body, ct)).EnsureOk("POST /api/events");
                return true;
            }
            await ClosedLoop.RunAsync(workers, ClosedLoop.WarmUp(settings), ClosedLoop.WarmUpCount(settings, 200), PostEvent, cancellationToken);
            await ClosedLoop.WaitUntilAsync(() => sink.Total() >= Interlocked.Read(ref toWatched), TimeSpan.FromSeconds(10), cancellationToken);
            step = SingleStep;
            phase = "measured";
            // Each worker starts again from its first user, so the measured events reach the watched users (the first
            // ones) however far a time-bounded warm-up went through the users.
            Array.Clear(nextOfWorker);
            var keptBefore = await NotificationsKeptAsync(api, cancellationToken);
            var metricsBefore = await MetricSamples.ReadAsync(api, cancellationToken);
            var (allocatedBefore, pagesBefore) = (ServerGcTotals.Of(metricsBefore), SqliteWriterTotals.Of(metricsBefore));
            var writerBefore = WriterCpuMicroseconds(deployment.Nodes);
            var events = await ClosedLoop.RunAsync(workers, settings.StepDuration, 1_000_000, PostEvent, cancellationToken, deployment.Nodes);
            var writerCpu = WriterCpuMicroseconds(deployment.Nodes) - writerBefore;
            var metricsAfter = await MetricSamples.ReadAsync(api, cancellationToken);
            var (allocatedAfter, pagesAfter) = (ServerGcTotals.Of(metricsAfter), SqliteWriterTotals.Of(metricsAfter));
            var keptAfter = await NotificationsKeptAsync(api, cancellationToken);
            var expected = Interlocked.Read(ref toWatched);
            await ClosedLoop.WaitUntilAsync(() => sink.Total() >= expected, TimeSpan.FromSeconds(10), cancellationToken);

            // Then batches (an app backend forwarding its events N at a time: EventBatchWorkers of the workers, each posting
            // for its own users as above), beside the above.
            ClosedLoop.Outcome? batches = null;
            var batchSize = settings.EventBatch;
            if (batchSize > 0)
            {
                context.Status($"{name} round {round}: POST /api/events, batches of {batchSize}");
                async Task<bool> PostBatch(int w, long n, CancellationToken ct)
                {
                    var body = new StringBuilder("""{"events":[""");
                    var start = Stopwatch.GetTimestamp();
                    for (var k = 0; k < batchSize; k++)
                    {
                        var u = (int)(w + (workers * (nextOfWorker[w]++ % perWorker)));
                        body.Append(k == 0 ? "" : ",").Append(EventBody($"batch-{n}-{k}", User(u), (n * batchSize) + k, settings.RealisticRules, spread));
                        if (u < watched)
                        {
                            sent[u].Enqueue((start, BatchStep));
                            Interlocked.Increment(ref toWatched);
                        }
                    }
                    (await api.PostAsync("/api/events", body.Append("]}").ToString(), ct)).EnsureOk("POST /api/events (batch)");
                    return true;
                }
                Array.Clear(nextOfWorker);
                step = BatchStep;
                batches = await ClosedLoop.RunAsync(Math.Min(workers, settings.EventBatchWorkers), settings.StepDuration, 1_000_000, PostBatch, cancellationToken, deployment.Nodes);
                expected = Interlocked.Read(ref toWatched);
                await ClosedLoop.WaitUntilAsync(() => sink.Total() >= expected, TimeSpan.FromSeconds(10), cancellationToken);
            }

            context.Status($"{name} round {round}: seeding a board of {settings.BoardEntries}");
            await SeedBoardAsync(api, settings.BoardEntries, cancellationToken);
            context.Status($"{name} round {round}: reading the board");
            var top = await ReadsAsync(settings.FeatureReads, async ct =>
            {
                var page = (await api.GetAsync($"/api/leaderboards/{SeedBoard}?limit=10", ct)).EnsureOk("top 10");
                using var json = page.Json();
                return json.RootElement.GetProperty("entries").GetArrayLength() == Math.Min(10, settings.BoardEntries);
            }, cancellationToken);
            var around = await ReadsAsync(settings.FeatureReads, async ct =>
            {
                // The user seeded with score 1 is last: rank N.
                var page = (await api.GetAsync($"/api/leaderboards/{SeedBoard}/around/{LowestSeedUser(settings.BoardEntries)}?limit=5", ct)).EnsureOk("around");
                using var json = page.Json();
                return json.RootElement.GetProperty("entries").EnumerateArray()
                    .Any(e => e.GetProperty("user").GetString() == LowestSeedUser(settings.BoardEntries) && e.GetProperty("rank").GetInt64() == settings.BoardEntries);
            }, cancellationToken);

            var r = context.Results;
            ClosedLoop.AddBaseline(context, name, kind, round, baseline);
            ClosedLoop.AddAgainstBaseline(context, name, kind, round, "event", "events/s", events, baseline);
            if (keptBefore is not null && keptAfter is not null && events.Done > 0)
            {
                // The workload: how many users each measured event told live they were passed, how many of those
                // overtaken were also kept in an inbox (a notification each, with its live notification: those of a place
                // lost within Gamification:OvertakenNotificationTopRank), all notifications kept, and how many replaced an
                // unread one instead of growing an inbox. A build before the live count kept every overtaken: the kept
                // ones are the live ones there.
                var kept = (keptAfter.Value.Overtaken - keptBefore.Value.Overtaken) / (double)events.Done;
                // (The counter shows once it first counts: absent before, it was 0.)
                var live = keptAfter.Value.OvertakenLive is { } liveAfter
                    ? (liveAfter - (keptBefore.Value.OvertakenLive ?? 0)) / events.Done
                    : kept;
                r.Add(name, kind, round, "overtaken_per_event", live, "notices", Better.None);
                r.Add(name, kind, round, "overtaken_kept_per_event", kept, "notices", Better.None);
                r.Add(name, kind, round, "notifications_per_event", (keptAfter.Value.All - keptBefore.Value.All) / (double)events.Done, "notices", Better.None);
                r.Add(name, kind, round, "notifications_replaced_per_event", (keptAfter.Value.Replaced - keptBefore.Value.Replaced) / (double)events.Done, "notices", Better.None);
            }
            if (deployment.Database == FeatureDeployment.Sqlite && events.Done > 0)
            {
                // The one SQLite writer thread runs every write: its CPU per event bounds the events/s, and a loaded machine
                // moves it less than the rate (the thread waits for a core while not counted).
                r.Add(name, kind, round, "event_writer_cpu_us", writerCpu / (double)events.Done, "µs", Better.Lower);
                if (allocatedAfter.SqliteWriterAllocated - allocatedBefore.SqliteWriterAllocated is var writerBytes && !double.IsNaN(writerBytes))
                {
                    r.Add(name, kind, round, "event_writer_allocated_kib", writerBytes / 1024.0 / events.Done, "KiB", Better.Lower);
                }
                if (pagesAfter.PagesWritten - pagesBefore.PagesWritten is var pages && !double.IsNaN(pages))
                {
                    // Pages the writer wrote to the log per event (each a whole page: 4 KiB unless Storage:SqlitePageSize),
                    // pages it read from the file, and events per commit (how many shared a commit's pages: this one moves
                    // with the rate).
                    r.Add(name, kind, round, "event_writer_pages_written", pages / events.Done, "pages", Better.Lower);
                    r.Add(name, kind, round, "event_writer_pages_read", (pagesAfter.PagesRead - pagesBefore.PagesRead) / events.Done, "pages", Better.Lower);
                    if (pagesAfter.Commands - pagesBefore.Commands is var commands && !double.IsNaN(commands))
                    {
                        // Commands the writer ran per event (savepoints included): each pays the driver's and Dapper's fixed cost.
                        r.Add(name, kind, round, "event_writer_commands", commands / events.Done, "commands", Better.Lower);
                    }
                    r.Add(name, kind, round, "event_writes_per_commit",
                        (pagesAfter.Writes - pagesBefore.Writes) / Math.Max(1, pagesAfter.Commits - pagesBefore.Commits), "writes", Better.None);
                }
            }
            if (events.Done > 0)
            {
                // What the server allocated per measured event (its runtime's meter; the load generator is another process):
                // unlike CPU time, a loaded machine does not move it.
                r.Add(name, kind, round, "event_allocated_kib", (allocatedAfter.Allocated - allocatedBefore.Allocated) / 1024.0 / events.Done, "KiB", Better.Lower);
                // The collections those allocations cost: how often (per 1,000 events, gen0 and gen1 apart: each counted once, in its own generation), the process's
                // pause per event and per collection. Every thread stops in a pause, the SQLite writer too, so the pause
                // per event is writer time no event's work is done in.
                var gen0 = allocatedAfter.Collections[0] - allocatedBefore.Collections[0];
                var gen1 = allocatedAfter.Collections[1] - allocatedBefore.Collections[1];
                var pause = allocatedAfter.PauseSeconds - allocatedBefore.PauseSeconds;
                r.Add(name, kind, round, "event_gc_gen0_per_1000", gen0 * 1000.0 / events.Done, "collections", Better.Lower);
                r.Add(name, kind, round, "event_gc_gen1_per_1000", gen1 * 1000.0 / events.Done, "collections", Better.Lower);
                r.Add(name, kind, round, "event_gc_pause_us", pause * 1e6 / events.Done, "µs", Better.Lower);
                var all = Enumerable.Range(0, 3).Sum(g => allocatedAfter.Collections[g] - allocatedBefore.Collections[g]);
                r.Add(name, kind, round, "event_gc_pause_per_collection_ms", all > 0 ? pause * 1000.0 / all : 0, "ms", Better.None);
            }
            r.Add(name, kind, round, "event_population_spread", spread ? 1 : 0, "bool", Better.None);
            r.Add(name, kind, round, "xp_gained_p50_ms", delivery.Percentile(50) / 1000.0, "ms", Better.Lower);
            r.Add(name, kind, round, "xp_gained_p99_ms", delivery.Percentile(99) / 1000.0, "ms", Better.Lower);
            if (batches is not null)
            {
                // Per event, not per call: a call carries batchSize events.
                var batchEvents = batches.Done * batchSize;
                r.Add(name, kind, round, "event_batch_size", batchSize, "events", Better.None);
                r.Add(name, kind, round, "event_batch_workers", Math.Min(workers, settings.EventBatchWorkers), "workers", Better.None);
                r.Add(name, kind, round, "event_batch_per_s", batchEvents / batches.Elapsed.TotalSeconds, "events/s", Better.Higher);
                r.Add(name, kind, round, "event_batch_call_p50_ms", batches.P50Ms, "ms", Better.Lower);
                r.Add(name, kind, round, "event_batch_call_p99_ms", batches.P99Ms, "ms", Better.Lower);
                if (batches.ServerCpuMicroseconds is { } cpu && batchEvents > 0)
                {
                    r.Add(name, kind, round, "event_batch_server_cpu_us", cpu / batchEvents, "µs", Better.Lower);
                }
                r.Add(name, kind, round, "event_batch_xp_gained_p50_ms", batchDelivery.Percentile(50) / 1000.0, "ms", Better.Lower);
                r.Add(name, kind, round, "event_batch_xp_gained_p99_ms", batchDelivery.Percentile(99) / 1000.0, "ms", Better.Lower);
            }
            r.Add(name, kind, round, "lost_xp_gained", Math.Max(0, expected - sink.Total()), "events", Better.Lower);
            r.Add(name, kind, round, "extra_xp_gained", Math.Max(0, sink.Total() - expected), "events", Better.Lower);
            r.Add(name, kind, round, "event_users", users, "users", Better.None);
            r.Add(name, kind, round, "event_users_watched", watched, "users", Better.None);
            r.Add(name, kind, round, "board_entries", settings.BoardEntries, "users", Better.None);
            r.Add(name, kind, round, "board_top10_p50_ms", top.P50Ms, "ms", Better.Lower);
            r.Add(name, kind, round, "board_top10_p99_ms", top.P99Ms, "ms", Better.Lower);
            r.Add(name, kind, round, "board_around_p50_ms", around.P50Ms, "ms", Better.Lower);
            r.Add(name, kind, round, "board_around_p99_ms", around.P99Ms, "ms", Better.Lower);
            r.Add(name, kind, round, "board_top10_p50_vs_baseline", top.P50Ms / baseline.P50Ms, "×", Better.Lower);
            r.Add(name, kind, round, "board_wrong_answers", top.Refused + around.Refused, "reads", Better.Lower);
        }
        finally
        {
            await deployment.DisposeAsync();
            await ScenarioContext.DisposeAllAsync(subscribers);
        }
    }

    private static long WriterCpuMicroseconds(IReadOnlyList<ServerProcess> nodes) =>
        nodes.Sum(n => ProcSample.ThreadCpuMicroseconds(n.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "Hubbub SQLite writer"));

    private static string User(int worker) => $"ev{worker}";

    private static string SeedUser(int i) => $"gs{i}";

    /// <summary>Seed user i scores 1 + (i·7919 mod N), a permutation of 1…N (7919 is prime and N is not its multiple).</summary>
    private static long SeedScore(int i, int n) => 1 + ((long)i * 7919 % n);

    private static string LowestSeedUser(int n) => SeedUser(Enumerable.Range(0, n).First(i => SeedScore(i, n) == 1));

    /// <summary>Reads one at a time (a closed loop of one); a read whose answer is wrong counts as refused.</summary>
    internal static Task<ClosedLoop.Outcome> ReadsAsync(int count, Func<CancellationToken, Task<bool>> read, CancellationToken cancellationToken) =>
        ClosedLoop.RunAsync(1, TimeSpan.FromMinutes(2), count, (_, _, ct) => read(ct), cancellationToken);

    /// <summary>
    /// An event that gives XP: the small set alternates a workout and a lesson; the realistic one cycles ten types. A
    /// workout is 2.5 km, or with <paramref name="spread"/> 1.0–14.9 km (n·7919 mod 140, a tenth each).
    /// </summary>
    private static string EventBody(string id, string user, long n, bool realistic, bool spread = false) => (realistic ? n % 10 : n % 2) switch
    {
        0 => $$$"""{"id":"{{{id}}}","user":"{{{user}}}","type":"bench.workout","data":{"minutes":{{{1 + (n % 60)}}},"km":{{{(spread ? Population.Km(n) : "2.5")}}}}}""",
        1 => $$$"""{"id":"{{{id}}}","user":"{{{user}}}","type":"bench.lesson","data":{"score":{{{n % 100}}}}}""",
        var t => $$$"""{"id":"{{{id}}}","user":"{{{user}}}","type":"bench.t{{{t}}}","data":{"points":{{{1 + (n % 9)}}}}}""",
    };

    /// <summary>
    /// Counters of the server's <c>/metrics</c>: notifications kept (all, <c>overtaken</c>) and those that replaced an
    /// unread one, and the <c>overtaken</c> published live (null from a build before that counter, which kept every one);
    /// null when the server has none of them (a build before they existed).
    /// </summary>
    private static async Task<(double All, double Overtaken, double Replaced, double? OvertakenLive)?> NotificationsKeptAsync(ServerApi api,
        CancellationToken cancellationToken)
    {
        var answer = await api.GetAsync("/metrics", cancellationToken);
        if (!answer.Ok || !answer.Body.Contains("hubbub_notifications_kept_total", StringComparison.Ordinal))
        {
            return null;
        }
        double all = 0, overtaken = 0, replaced = 0;
        double? live = null;
        foreach (var line in answer.Body.Split('\n'))
        {
            if (line.StartsWith('#') || line.LastIndexOf(' ') is var space && space < 0
                || !double.TryParse(line.AsSpan(space + 1), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }
            if (line.StartsWith("hubbub_notifications_kept_total{", StringComparison.Ordinal))
            {
                all += value;
                overtaken += line.Contains("type=\"overtaken\"", StringComparison.Ordinal) ? value : 0;
            }
            else if (line.StartsWith("hubbub_notifications_replaced_total", StringComparison.Ordinal))
            {
                replaced += value;
            }
            else if (line.StartsWith("hubbub_gamification_overtaken_total", StringComparison.Ordinal))
            {
                live = (live ?? 0) + value;
            }
        }
        return (all, overtaken, replaced, live);
    }

    private static async Task DefineAsync(ServerApi api, bool realistic, bool spread, CancellationToken cancellationToken)
    {
        List<string[]> definitions =
        [
            ["/api/rules", """{"type":"bench.workout","field":"minutes","factor":1,"max":100}"""],
            ["/api/rules", """{"type":"bench.lesson","xp":10}"""],
            ["/api/rules", """{"type":"bench.seed","xp":1}"""],
            ["/api/achievements", """{"key":"bench-lessons","name":"Five lessons","rarity":"common","xp":5,"type":"bench.lesson","threshold":5}"""],
            ["/api/achievements", """{"key":"bench-km","name":"Hundred km","rarity":"rare","xp":50,"type":"bench.workout","field":"km","threshold":100}"""],
            ["/api/leaderboards", """{"key":"bench-xp","name":"XP","source":"xp"}"""],
            ["/api/leaderboards", """{"key":"bench-km-week","name":"km this week","source":"bench.workout:km","period":"weekly"}"""],
            ["/api/leaderboards", $$"""{"key":"{{SeedBoard}}","name":"Seeded","source":"bench.seed:points","operator":"best"}"""],
        ];
        if (realistic)
        {
            // Issue 15's set: 10 XP rules (the two above, bench.t2…t9, with bench.seed an 11th that only the board read
            // uses), 20 achievements (the two above and 18 more over every type, counts and sums), 3 quests, 2 streaks,
            // 3 boards the measured events move (XP, km this week, and lessons today) besides the seeded one.
            for (var t = 2; t < 10; t++)
            {
                definitions.Add(["/api/rules", $$"""{"type":"bench.t{{t}}","xp":{{t}}}"""]);
                definitions.Add(["/api/achievements", $$"""{"key":"bench-t{{t}}-10","name":"Ten t{{t}}","rarity":"common","xp":5,"type":"bench.t{{t}}","threshold":10}"""]);
                definitions.Add(["/api/achievements", $$"""{"key":"bench-t{{t}}-points","name":"Points t{{t}}","rarity":"epic","xp":20,"type":"bench.t{{t}}","field":"points","threshold":500}"""]);
            }
            definitions.Add(["/api/achievements", """{"key":"bench-workouts-20","name":"Twenty workouts","rarity":"rare","xp":20,"type":"bench.workout","threshold":20}"""]);
            definitions.Add(["/api/achievements", """{"key":"bench-lessons-100","name":"Hundred lessons","rarity":"legendary","xp":100,"hidden":true,"type":"bench.lesson","threshold":100}"""]);
            definitions.Add(["/api/quests", """{"key":"bench-daily-lessons","name":"Three lessons today","period":"daily","type":"bench.lesson","count":3,"xp":30}"""]);
            definitions.Add(["/api/quests", """{"key":"bench-daily-workouts","name":"Two workouts today","period":"daily","type":"bench.workout","count":2,"xp":20}"""]);
            definitions.Add(["/api/quests", """{"key":"bench-weekly-t2","name":"Ten t2 this week","period":"weekly","type":"bench.t2","count":10,"xp":50}"""]);
            definitions.Add(["/api/streaks", """{"key":"bench-practice","name":"Practice days","type":"bench.lesson","grace_days":1}"""]);
            definitions.Add(["/api/streaks", """{"key":"bench-training","name":"Training days","type":"bench.workout"}"""]);
            definitions.Add(["/api/leaderboards", """{"key":"bench-lessons-today","name":"Lessons today","source":"bench.lesson","period":"daily"}"""]);
        }
        if (spread)
        {
            // Only the join uses it: a user's XP from before the run (Population.Xp).
            definitions.Add(["/api/rules", """{"type":"bench.prior","field":"xp","factor":1,"max":1000000}"""]);
        }
        foreach (var d in definitions)
        {
            (await api.PostAsync(d[0], d[1], cancellationToken)).EnsureOk($"POST {d[0]}");
        }
    }

    /// <summary>
    /// Every user joins first (batches of 100 events), so the measured events find 10,000 players, not a few: one event
    /// each, all alike; or with <paramref name="spread"/> a <c>bench.prior</c> event carrying the user's XP from before the
    /// run and, for those who worked out this week, a workout of their km so far (<see cref="Population"/>).
    /// </summary>
    private static async Task SeedUsersAsync(ServerApi api, int users, bool spread, CancellationToken cancellationToken)
    {
        if (spread)
        {
            var population = new Population(users);
            var joins = Enumerable.Range(0, users).SelectMany(i => population.JoinEvents(i, User(i))).Chunk(100).ToArray();
            await Parallel.ForEachAsync(joins, new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = cancellationToken }, async (batch, ct) =>
                (await api.PostAsync("/api/events", $$"""{"events":[{{string.Join(",", batch)}}]}""", ct)).EnsureOk("join batch"));
            return;
        }
        var batches = Enumerable.Range(0, (users + 99) / 100).ToArray();
        // Two at a time: a batch is one transaction, and on a loaded machine four queued ones outwaited the client's 30 s.
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = cancellationToken }, async (b, ct) =>
        {
            var body = new StringBuilder("""{"events":[""");
            for (var i = b * 100; i < Math.Min(users, (b + 1) * 100); i++)
            {
                body.Append(i == b * 100 ? "" : ",").Append(EventBody($"join-{i}", User(i), 2 + (10 * i), realistic: true));
            }
            (await api.PostAsync("/api/events", body.Append("]}").ToString(), ct)).EnsureOk("join batch");
        });
    }

    private static async Task SeedBoardAsync(ServerApi api, int n, CancellationToken cancellationToken)
    {
        var batches = Enumerable.Range(0, (n + 99) / 100).ToArray();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = cancellationToken }, async (b, ct) =>
        {
            var body = new StringBuilder("""{"events":[""");
            for (var i = b * 100; i < Math.Min(n, (b + 1) * 100); i++)
            {
                body.Append(i == b * 100 ? "" : ",").Append(
                    $$$"""{"id":"seed-{{{i}}}","user":"{{{SeedUser(i)}}}","type":"bench.seed","data":{"points":{{{SeedScore(i, n)}}}}}""");
            }
            (await api.PostAsync("/api/events", body.Append("]}").ToString(), ct)).EnsureOk("seed batch");
        });
    }
}
