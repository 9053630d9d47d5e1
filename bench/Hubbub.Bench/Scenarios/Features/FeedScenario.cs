using System.Diagnostics;
using System.Text;
using Hubbub.Bench.Clients;
using Hubbub.Bench.Infra;
using Hubbub.Bench.Measure;
using Hubbub.Bench.Results;

namespace Hubbub.Bench.Scenarios.Features;

/// <summary>
/// <c>feed</c> (Hubbub only; on each of <see cref="BenchSettings.Databases"/> but two nodes, through
/// <see cref="FeatureDeployment"/>: SQLite, and a fresh PostgreSQL database). Two parts, issue 16's bench:
/// <list type="bullet">
/// <item>Fan-out: a poster with min(<see cref="BenchSettings.Friends"/>, 1,000) friends (made through the API), each
/// subscribed to their <c>feed:{id}</c> on a connection of their own, posts <see cref="BenchSettings.FeatureReads"/>/10
/// activities one at a time (the next when every friend got the last): the time from the POST to each friend's
/// <c>friend_activity</c>, over every delivery, and to the first and the last friend's per post (the first post is a
/// warm-up), and the server's CPU per post.</item>
/// <item>Reads: a reader with <see cref="BenchSettings.Friends"/> friends among <see cref="BenchSettings.FeedActivities"/>
/// activities seeded with bulk SQL (<see cref="FeedSeed"/>): <c>GET /api/feed?limit=20</c> one read at a time, the
/// first page and a page below a random cursor, p50/p99 and server CPU per read beside a bare <c>POST /api/publish</c> of
/// the same run.</item>
/// </list>
/// Checks (counts that must be 0): every friend got exactly one <c>friend_activity</c> per post; every page read holds
/// 20 friends' activities, newest first; the reader's first three pages are exactly the newest activities of the reader
/// and their friends by the activities and friendships alone (not the inbox); each of a few of the poster's friends
/// reads the poster's posts, newest first.
/// </summary>
public sealed class FeedScenario : IScenario
{
    private const string Poster = "fp";
    private const int PageSize = 20;
    private const int CheckedPages = 3;

    /// <inheritdoc />
    public string Name => "feed";

    /// <inheritdoc />
    public bool Supports(ServerKind kind) => kind == ServerKind.Hubbub;

    /// <inheritdoc />
    public string? PendingReason() => null;

    /// <inheritdoc />
    public Task RunAsync(ScenarioContext context, ServerKind kind, int round, CancellationToken cancellationToken) =>
        FeatureDeployment.ForEachRunAsync(context, kind, Name, supportsTwoNodes: false, new Dictionary<string, string>(),
            deployment => RunOnAsync(context, kind, round, deployment, cancellationToken), cancellationToken);

    private async Task RunOnAsync(ScenarioContext context, ServerKind kind, int round, FeatureDeployment deployment, CancellationToken cancellationToken)
    {
        var name = deployment.Label;
        var settings = context.Settings;
        var friends = settings.Friends;
        var total = settings.FeedActivities > 0 ? settings.FeedActivities : friends * (settings.ActivitiesPerFriend + 1);
        var fanOutFriends = Math.Min(friends, 1_000);
        var posts = Math.Max(3, settings.FeatureReads / 10);
        void Status(string text) => context.Status($"{name} round {round}: {text}");

        var server = deployment.Nodes[0];
        IBenchConnection[] subscribers = [];
        try
        {
            using var api = new ServerApi(server);
            // The deployment's fresh database: the seed goes straight into it.
            await using var seed = await FeedSeed.OpenAsync(deployment.StorageConnectionString, deployment.Database != FeatureDeployment.Sqlite,
                cancellationToken);

            Status($"seeding {friends:N0} friends, {total:N0} activities");
            var seeding = Stopwatch.StartNew();
            await seed.SeedAsync(friends, total, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), s => Status($"seeding {s}"), cancellationToken);
            var seedSeconds = seeding.Elapsed.TotalSeconds;

            Status($"{fanOutFriends} friends of the poster");
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken };
            await Parallel.ForAsync(0, fanOutFriends, parallel, async (i, ct) =>
            {
                (await api.PostAsync($"/api/friends?user={Poster}", $$"""{"user":"{{Fan(i)}}"}""", ct)).EnsureOk("friend request");
                (await api.PostAsync($"/api/friends?user={Fan(i)}", $$"""{"user":"{{Poster}}"}""", ct)).EnsureOk("friend accept");
            });
            var fanOut = new FanOutSink(fanOutFriends, posts);
            var target = new HubbubTarget(server);
            subscribers = await context.ConnectManyAsync(0, fanOutFriends,
                (i, ct) => target.SubscribeAsync(Fan(i), i, $"feed:{Fan(i)}", null, fanOut, ct), cancellationToken);

            Status($"{posts} posts to {fanOutFriends} subscribed friends");
            var postIds = new List<string>();
            var postAnswers = new LatencyHistogram(); // the POST's own answer: commit, then the publications on the request's flow
            double? cpuBefore = null;
            for (var k = 0; k < posts; k++)
            {
                if (k == 1)
                {
                    cpuBefore = deployment.Nodes.Sum(n => (double)n.Sample().CpuMicroseconds); // after the warm-up post
                }
                fanOut.Sent(k);
                var posting = Stopwatch.GetTimestamp();
                var answer = (await api.PostAsync("/api/activities", $$$"""{"user":"{{{Poster}}}","type":"run","title":"fan {{{k}}}","data":{"km":5}}""",
                    cancellationToken)).EnsureOk("POST /api/activities");
                if (k > 0)
                {
                    postAnswers.Record((long)Stopwatch.GetElapsedTime(posting).TotalMicroseconds);
                }
                using (var json = answer.Json())
                {
                    postIds.Insert(0, json.RootElement.GetProperty("id").GetString()!);
                }
                // The next post when every friend has this one (or after a bound: the check counts what is missing).
                await ClosedLoop.WaitUntilAsync(() => fanOut.Delivered(k) >= fanOutFriends, TimeSpan.FromSeconds(10), cancellationToken);
            }
            // Server CPU per post: the post itself, its fan-out and its 1,000 sends (all nodes; the database's own CPU on
            // PostgreSQL is not in it).
            var postCpu = (deployment.Nodes.Sum(n => (double)n.Sample().CpuMicroseconds) - cpuBefore) / (posts - 1);
            await Task.Delay(200, cancellationToken); // room for a late duplicate to show

            Status("bare publish");
            var baseline = await ClosedLoop.PublishBaselineAsync(api, settings.FeatureWorkers, settings.StepDuration, _ => "public:bench-baseline",
                cancellationToken, deployment.Nodes);

            Status("reading the feed");
            async Task<bool> ReadPage(string path, CancellationToken ct)
            {
                var page = (await api.GetAsync(path, ct, asUser: FeedSeed.Reader)).EnsureOk("GET /api/feed");
                using var json = page.Json();
                var items = json.RootElement.GetProperty("activities").EnumerateArray().ToList();
                var times = items.Select(a => a.GetProperty("created_at").GetDateTimeOffset()).ToList();
                return items.Count == PageSize
                    && items.All(a => a.GetProperty("user").GetString()!.StartsWith("ff", StringComparison.Ordinal))
                    && times.Zip(times.Skip(1)).All(p => p.First >= p.Second);
            }
            Task<ClosedLoop.Outcome> Reads(int count, Func<CancellationToken, Task<bool>> read) =>
                ClosedLoop.RunAsync(1, TimeSpan.FromMinutes(2), count, (_, _, ct) => read(ct), cancellationToken, deployment.Nodes);
            var first = $"/api/feed?limit={PageSize}";
            await Reads(Math.Max(1, settings.FeatureReads / 10), ct => ReadPage(first, ct));
            var reads = await Reads(settings.FeatureReads, ct => ReadPage(first, ct));
            // Below a random point of the timeline (keyset paging deep in the feed), leaving room for a full page.
            var random = new Random(round);
            var deep = await Reads(settings.FeatureReads, ct => ReadPage($"/api/feed?limit={PageSize}&before={random.NextInt64(total / 2, total)}", ct));

            Status("checking");
            var wrongPages = await CheckReaderPagesAsync(api, seed, cancellationToken);
            for (var i = 0; i < Math.Min(5, fanOutFriends); i++)
            {
                var page = (await api.GetAsync($"/api/feed?limit={Math.Min(100, posts)}", cancellationToken, asUser: Fan(i))).EnsureOk("GET /api/feed");
                using var json = page.Json();
                var ids = json.RootElement.GetProperty("activities").EnumerateArray().Select(a => a.GetProperty("id").GetString()!).ToList();
                wrongPages += ids.SequenceEqual(postIds.Take(ids.Count)) && ids.Count == Math.Min(100, posts) ? 0 : 1;
            }

            var r = context.Results;
            ClosedLoop.AddBaseline(context, name, kind, round, baseline);
            r.Add(name, kind, round, "friends", friends, "users", Better.None);
            r.Add(name, kind, round, "activities", total, "activities", Better.None);
            r.Add(name, kind, round, "seed_s", seedSeconds, "s", Better.None);
            r.Add(name, kind, round, "fanout_friends", fanOutFriends, "users", Better.None);
            r.Add(name, kind, round, "fanout_delivery_p50_ms", fanOut.Deliveries.Percentile(50) / 1000.0, "ms", Better.Lower);
            r.Add(name, kind, round, "fanout_delivery_p99_ms", fanOut.Deliveries.Percentile(99) / 1000.0, "ms", Better.Lower);
            r.Add(name, kind, round, "fanout_first_p50_ms", fanOut.FirstPercentile(50) / 1000.0, "ms", Better.Lower);
            r.Add(name, kind, round, "fanout_first_p99_ms", fanOut.FirstPercentile(99) / 1000.0, "ms", Better.Lower);
            r.Add(name, kind, round, "fanout_last_p50_ms", fanOut.LastPercentile(50) / 1000.0, "ms", Better.Lower);
            r.Add(name, kind, round, "fanout_last_p99_ms", fanOut.LastPercentile(99) / 1000.0, "ms", Better.Lower);
            r.Add(name, kind, round, "fanout_post_p50_ms", postAnswers.Percentile(50) / 1000.0, "ms", Better.Lower);
            r.Add(name, kind, round, "fanout_post_p99_ms", postAnswers.Percentile(99) / 1000.0, "ms", Better.Lower);
            r.Add(name, kind, round, "fanout_p99_vs_baseline_p50", fanOut.Deliveries.Percentile(99) / 1000.0 / baseline.P50Ms, "×", Better.Lower);
            if (postCpu is { } cpu)
            {
                r.Add(name, kind, round, "fanout_server_cpu_us_per_post", cpu, "µs", Better.Lower);
                if (baseline.CpuPerOperation is { } baseCpu)
                {
                    r.Add(name, kind, round, "fanout_cpu_per_delivery_vs_baseline", cpu / fanOutFriends / baseCpu, "×", Better.Lower);
                }
            }
            r.Add(name, kind, round, "feed_page_p50_ms", reads.P50Ms, "ms", Better.Lower);
            r.Add(name, kind, round, "feed_page_p99_ms", reads.P99Ms, "ms", Better.Lower);
            r.Add(name, kind, round, "feed_page_p50_vs_baseline", reads.P50Ms / baseline.P50Ms, "×", Better.Lower);
            r.Add(name, kind, round, "feed_page_p99_vs_baseline", reads.P99Ms / baseline.P99Ms, "×", Better.Lower);
            if (reads.CpuPerOperation is { } readCpu)
            {
                r.Add(name, kind, round, "feed_page_server_cpu_us", readCpu, "µs", Better.Lower);
            }
            r.Add(name, kind, round, "deep_page_p50_ms", deep.P50Ms, "ms", Better.Lower);
            r.Add(name, kind, round, "deep_page_p99_ms", deep.P99Ms, "ms", Better.Lower);
            r.Add(name, kind, round, "missing_friend_activity", fanOut.Missing(), "deliveries", Better.Lower);
            r.Add(name, kind, round, "extra_friend_activity", fanOut.Extra(), "deliveries", Better.Lower);
            r.Add(name, kind, round, "feed_wrong_pages", reads.Refused + deep.Refused + wrongPages, "reads", Better.Lower);
        }
        finally
        {
            await ScenarioContext.DisposeAllAsync(subscribers);
        }
    }

    /// <summary>The reader's first pages, followed by their cursors, against the rules' answer; the pages that differ.</summary>
    private static async Task<int> CheckReaderPagesAsync(ServerApi api, FeedSeed seed, CancellationToken ct)
    {
        var wrong = 0;
        var before = long.MaxValue;
        for (var n = 0; n < CheckedPages; n++)
        {
            var page = (await api.GetAsync($"/api/feed?limit={PageSize}{(n == 0 ? "" : $"&before={before}")}", ct, asUser: FeedSeed.Reader))
                .EnsureOk("GET /api/feed");
            using var json = page.Json();
            var ids = json.RootElement.GetProperty("activities").EnumerateArray().Select(a => a.GetProperty("id").GetString()!).ToList();
            var expected = await seed.ExpectedPageAsync(FeedSeed.Reader, before, PageSize, ct);
            wrong += ids.SequenceEqual(expected, StringComparer.Ordinal) ? 0 : 1;
            if (json.RootElement.GetProperty("next_cursor").GetString() is not { } cursor)
            {
                break;
            }
            before = long.Parse(cursor, System.Globalization.CultureInfo.InvariantCulture);
        }
        return wrong;
    }

    private static string Fan(int i) => $"fq{i}";

    /// <summary>
    /// The poster's friends' <c>friend_activity</c> frames: which post (by its title <c>fan k</c>) each connection got how
    /// often, and the time from that post's POST to each delivery.
    /// </summary>
    private sealed class FanOutSink(int connections, int posts) : IFrameSink
    {
        private static readonly byte[] Head = Encoding.UTF8.GetBytes("{\"type\":\"friend_activity\"");
        private static readonly byte[] TitleKey = Encoding.UTF8.GetBytes("\"title\":\"fan ");
        private readonly int[] _counts = new int[connections * posts];
        private readonly long[] _sentAt = new long[posts];
        private readonly long[] _lastUs = new long[posts];
        private readonly long[] _firstUs = Enumerable.Repeat(long.MaxValue, posts).ToArray();
        private readonly int[] _delivered = new int[posts];

        public LatencyHistogram Deliveries { get; } = new();

        public void Sent(int post) => Volatile.Write(ref _sentAt[post], Stopwatch.GetTimestamp());

        public int Delivered(int post) => Volatile.Read(ref _delivered[post]);

        public long Missing() => _counts.Count(c => c == 0);

        public long Extra() => _counts.Sum(c => Math.Max(0, c - 1));

        /// <summary>To the last friend of each post (the warm-up post left out).</summary>
        public double LastPercentile(double percentile) => Stats.Percentile(_lastUs.Skip(1).Select(v => (double)v).Order().ToList(), percentile);

        /// <summary>
        /// To the first friend of each post: the commit and the first publication, before the other 999; last minus first
        /// is the time the fan-out's publications and sends took.
        /// </summary>
        public double FirstPercentile(double percentile) =>
            Stats.Percentile(_firstUs.Skip(1).Where(v => v != long.MaxValue).Select(v => (double)v).Order().ToList(), percentile);

        public void OnFrame(int index, ReadOnlySpan<byte> frame)
        {
            if (!frame.StartsWith(Head))
            {
                return;
            }
            var at = frame.IndexOf(TitleKey);
            if (at < 0)
            {
                return;
            }
            var digits = frame[(at + TitleKey.Length)..];
            var post = 0;
            for (var i = 0; i < digits.Length && digits[i] is >= (byte)'0' and <= (byte)'9'; i++)
            {
                post = (post * 10) + (digits[i] - '0');
            }
            if (post >= posts)
            {
                return;
            }
            var us = (long)Stopwatch.GetElapsedTime(Volatile.Read(ref _sentAt[post])).TotalMicroseconds;
            if (Interlocked.Increment(ref _counts[(post * connections) + index]) == 1)
            {
                Interlocked.Increment(ref _delivered[post]);
                if (post == 0)
                {
                    return; // the warm-up post: first use of the code paths
                }
                Deliveries.Record(us);
                var last = Volatile.Read(ref _lastUs[post]);
                while (us > last && Interlocked.CompareExchange(ref _lastUs[post], us, last) != last)
                {
                    last = Volatile.Read(ref _lastUs[post]);
                }
                var earliest = Volatile.Read(ref _firstUs[post]);
                while (us < earliest && Interlocked.CompareExchange(ref _firstUs[post], us, earliest) != earliest)
                {
                    earliest = Volatile.Read(ref _firstUs[post]);
                }
            }
        }

        public void OnClosed(int index)
        {
        }
    }
}
