using System.Text.Json;
using Hubbub.Bench.Clients;
using Hubbub.Bench.Infra;
using Hubbub.Bench.Results;

namespace Hubbub.Bench.Scenarios.Features;

/// <summary>
/// <c>feed</c> (Hubbub only): the social feed read (fan-out on read) for a user with
/// <see cref="BenchSettings.Friends"/> friends, each of whom posted <see cref="BenchSettings.ActivitiesPerFriend"/>
/// activities, beside as many strangers' activities as friends. <c>GET /api/feed?limit=20</c> with the reader's token,
/// one read at a time: p50/p99 beside a bare <c>POST /api/publish</c> of the same run. Checks every page: 20 items,
/// each a friend's, newest first.
/// </summary>
public sealed class FeedScenario : IScenario
{
    private const string Reader = "fr";
    private const int PageSize = 20;

    /// <inheritdoc />
    public string Name => "feed";

    /// <inheritdoc />
    public bool Supports(ServerKind kind) => kind == ServerKind.Hubbub;

    /// <inheritdoc />
    public string? PendingReason() => null;

    /// <inheritdoc />
    public async Task RunAsync(ScenarioContext context, ServerKind kind, int round, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        var friends = settings.Friends;
        await using var server = await context.StartAsync(kind, cancellationToken);
        using var api = new ServerApi(server);

        context.Status($"feed round {round}: {friends} friends");
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken };
        await Parallel.ForAsync(0, friends, parallel, async (i, ct) =>
        {
            (await api.PostAsync($"/api/friends?user={Reader}", $$"""{"user":"{{Friend(i)}}"}""", ct)).EnsureOk("friend request");
            (await api.PostAsync($"/api/friends?user={Friend(i)}", $$"""{"user":"{{Reader}}"}""", ct)).EnsureOk("friend accept");
        });
        context.Status($"feed round {round}: {friends * settings.ActivitiesPerFriend} activities");
        await Parallel.ForAsync(0, friends * (settings.ActivitiesPerFriend + 1), parallel, async (n, ct) =>
        {
            // Friends' activities interleaved with strangers' (every ActivitiesPerFriend + 1-th post), so the feed's
            // filter has something to leave out.
            var stranger = n % (settings.ActivitiesPerFriend + 1) == 0;
            var user = stranger ? $"fx{n}" : Friend(n % friends);
            (await api.PostAsync("/api/activities", $$$"""{"user":"{{{user}}}","type":"run","title":"Run {{{n}}}","data":{"km":5}}""", ct))
                .EnsureOk("POST /api/activities");
        });

        context.Status($"feed round {round}: bare publish");
        var baseline = await ClosedLoop.PublishBaselineAsync(api, settings.FeatureWorkers, settings.StepDuration, _ => "public:bench-baseline", cancellationToken);
        context.Status($"feed round {round}: reading the feed");
        async Task<bool> ReadPage(CancellationToken ct)
        {
            var page = (await api.GetAsync($"/api/feed?limit={PageSize}", ct, asUser: Reader)).EnsureOk("GET /api/feed");
            using var json = page.Json();
            var items = json.RootElement.GetProperty("activities").EnumerateArray().ToList();
            var times = items.Select(a => a.GetProperty("created_at").GetDateTimeOffset()).ToList();
            return items.Count == PageSize
                && items.All(a => a.GetProperty("user").GetString()!.StartsWith("ff", StringComparison.Ordinal))
                && times.Zip(times.Skip(1)).All(p => p.First >= p.Second);
        }
        await GamificationEventsScenario.ReadsAsync(Math.Max(1, settings.FeatureReads / 10), ReadPage, cancellationToken);
        var reads = await GamificationEventsScenario.ReadsAsync(settings.FeatureReads, ReadPage, cancellationToken);

        var r = context.Results;
        ClosedLoop.AddBaseline(context, Name, kind, round, baseline);
        r.Add(Name, kind, round, "friends", friends, "users", Better.None);
        r.Add(Name, kind, round, "activities", friends * (settings.ActivitiesPerFriend + 1), "activities", Better.None);
        r.Add(Name, kind, round, "feed_page_p50_ms", reads.P50Ms, "ms", Better.Lower);
        r.Add(Name, kind, round, "feed_page_p99_ms", reads.P99Ms, "ms", Better.Lower);
        r.Add(Name, kind, round, "feed_page_p50_vs_baseline", reads.P50Ms / baseline.P50Ms, "×", Better.Lower);
        r.Add(Name, kind, round, "feed_wrong_pages", reads.Refused, "reads", Better.Lower);
    }

    private static string Friend(int i) => $"ff{i}";
}
