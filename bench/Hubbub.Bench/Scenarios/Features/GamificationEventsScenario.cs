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
/// <c>xp_gained</c> per event, and the board's ranks (distinct seeded scores 1…N: the lowest ranks N).
/// </summary>
public sealed class GamificationEventsScenario : IScenario
{
    private const string SeedBoard = "bench-seed";

    /// <inheritdoc />
    public string Name => "events";

    /// <inheritdoc />
    public bool Supports(ServerKind kind) => kind == ServerKind.Hubbub;

    /// <inheritdoc />
    public string? PendingReason() => null;

    /// <inheritdoc />
    public async Task RunAsync(ScenarioContext context, ServerKind kind, int round, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        var workers = settings.FeatureWorkers;
        await using var server = await context.StartAsync(kind, cancellationToken);
        using var api = new ServerApi(server);
        await DefineAsync(api, cancellationToken);

        // Per user, the send time of each event in order, and whether it is a measured one.
        var sent = Enumerable.Range(0, workers).Select(_ => new ConcurrentQueue<(long Start, bool Measured)>()).ToArray();
        var delivery = new LatencyHistogram();
        var sink = new EventSink(workers, "xp_gained")
        {
            OnEvent = (i, _, _) =>
            {
                if (sent[i].TryDequeue(out var s) && s.Measured)
                {
                    delivery.Record(Payload.MicrosecondsSince(s.Start));
                }
            },
        };
        var target = new HubbubTarget(server);
        var subscribers = await context.ConnectManyAsync(0, workers,
            (i, ct) => target.SubscribeAsync(User(i), i, $"user:{User(i)}", null, sink, ct), cancellationToken);
        try
        {
            context.Status($"events round {round}: bare publish");
            var baseline = await ClosedLoop.PublishBaselineAsync(api, workers, settings.StepDuration, _ => "public:bench-baseline", cancellationToken);

            context.Status($"events round {round}: POST /api/events");
            var measured = false;
            var phase = "warm";
            async Task<bool> PostEvent(int w, long n, CancellationToken ct)
            {
                var body = n % 2 == 0
                    ? $$$"""{"id":"{{{phase}}}-{{{n}}}","user":"{{{User(w)}}}","type":"bench.workout","data":{"minutes":{{{1 + (n % 60)}}},"km":2.5}}"""
                    : $$$"""{"id":"{{{phase}}}-{{{n}}}","user":"{{{User(w)}}}","type":"bench.lesson","data":{"score":{{{n % 100}}}}}""";
                sent[w].Enqueue((Stopwatch.GetTimestamp(), measured));
                (await api.PostAsync("/api/events", body, ct)).EnsureOk("POST /api/events");
                return true;
            }
            var warm = await ClosedLoop.RunAsync(workers, settings.StepDuration / 4, 200, PostEvent, cancellationToken);
            await ClosedLoop.WaitUntilAsync(() => sink.Total() >= warm.Done, TimeSpan.FromSeconds(10), cancellationToken);
            measured = true;
            phase = "measured";
            var events = await ClosedLoop.RunAsync(workers, settings.StepDuration, 1_000_000, PostEvent, cancellationToken);
            var expected = warm.Done + events.Done;
            await ClosedLoop.WaitUntilAsync(() => sink.Total() >= expected, TimeSpan.FromSeconds(10), cancellationToken);

            context.Status($"events round {round}: seeding a board of {settings.BoardEntries}");
            await SeedBoardAsync(api, settings.BoardEntries, cancellationToken);
            context.Status($"events round {round}: reading the board");
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
            ClosedLoop.AddBaseline(context, Name, kind, round, baseline);
            ClosedLoop.AddAgainstBaseline(context, Name, kind, round, "event", "events/s", events, baseline);
            r.Add(Name, kind, round, "xp_gained_p50_ms", delivery.Percentile(50) / 1000.0, "ms", Better.Lower);
            r.Add(Name, kind, round, "xp_gained_p99_ms", delivery.Percentile(99) / 1000.0, "ms", Better.Lower);
            r.Add(Name, kind, round, "lost_xp_gained", Math.Max(0, expected - sink.Total()), "events", Better.Lower);
            r.Add(Name, kind, round, "extra_xp_gained", Math.Max(0, sink.Total() - expected), "events", Better.Lower);
            r.Add(Name, kind, round, "board_entries", settings.BoardEntries, "users", Better.None);
            r.Add(Name, kind, round, "board_top10_p50_ms", top.P50Ms, "ms", Better.Lower);
            r.Add(Name, kind, round, "board_top10_p99_ms", top.P99Ms, "ms", Better.Lower);
            r.Add(Name, kind, round, "board_around_p50_ms", around.P50Ms, "ms", Better.Lower);
            r.Add(Name, kind, round, "board_around_p99_ms", around.P99Ms, "ms", Better.Lower);
            r.Add(Name, kind, round, "board_top10_p50_vs_baseline", top.P50Ms / baseline.P50Ms, "×", Better.Lower);
            r.Add(Name, kind, round, "board_wrong_answers", top.Refused + around.Refused, "reads", Better.Lower);
        }
        finally
        {
            await server.DisposeAsync();
            await ScenarioContext.DisposeAllAsync(subscribers);
        }
    }

    private static string User(int worker) => $"ev{worker}";

    private static string SeedUser(int i) => $"gs{i}";

    /// <summary>Seed user i scores 1 + (i·7919 mod N), a permutation of 1…N (7919 is prime and N is not its multiple).</summary>
    private static long SeedScore(int i, int n) => 1 + ((long)i * 7919 % n);

    private static string LowestSeedUser(int n) => SeedUser(Enumerable.Range(0, n).First(i => SeedScore(i, n) == 1));

    /// <summary>Reads one at a time (a closed loop of one); a read whose answer is wrong counts as refused.</summary>
    internal static Task<ClosedLoop.Outcome> ReadsAsync(int count, Func<CancellationToken, Task<bool>> read, CancellationToken cancellationToken) =>
        ClosedLoop.RunAsync(1, TimeSpan.FromMinutes(2), count, (_, _, ct) => read(ct), cancellationToken);

    private static async Task DefineAsync(ServerApi api, CancellationToken cancellationToken)
    {
        string[][] definitions =
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
        foreach (var d in definitions)
        {
            (await api.PostAsync(d[0], d[1], cancellationToken)).EnsureOk($"POST {d[0]}");
        }
    }

    private static async Task SeedBoardAsync(ServerApi api, int n, CancellationToken cancellationToken)
    {
        var batches = Enumerable.Range(0, (n + 99) / 100).ToArray();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (b, ct) =>
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
