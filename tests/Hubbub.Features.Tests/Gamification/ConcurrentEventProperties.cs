using System.Net;
using CsCheck;
using Hubbub.Features.Tests.Infrastructure;

namespace Hubbub.Features.Tests.Gamification;

/// <summary>
/// Property: whatever the interleaving of one user's events — sent all at once, to one node or spread over two nodes on
/// one PostgreSQL database, with some ids repeated — the user's XP ends as the sum of the rule XP of the distinct events
/// plus each reached achievement's XP once.
/// </summary>
public sealed class ConcurrentEventProperties
{
    private sealed record Sent(int Kind, int Value, bool RepeatPrevious);

    private static readonly Gen<Sent[]> Events =
        Gen.Select(Gen.Int[0, 1], Gen.Int[0, 40], Gen.Int[0, 5], (kind, value, repeat) => new Sent(kind, value, repeat == 0)).Array[1, 25];

    [Fact]
    public async Task On_sqlite_the_xp_total_is_the_sum_of_the_rules_whatever_the_interleaving()
    {
        await using var chat = await ChatServer.StartAsync("sqlite");
        await CheckAsync([chat.Server.BaseAddress]);
    }

    [Fact]
    public async Task On_two_postgres_nodes_the_xp_total_is_the_sum_of_the_rules_whatever_the_interleaving()
    {
        await using var database = await ChatDatabase.CreateAsync("postgres");
        using var a = new TestServer(new(database.Settings));
        using var b = new TestServer(new(database.Settings));
        await CheckAsync([a.BaseAddress, b.BaseAddress]);
    }

    private static async Task CheckAsync(Uri[] nodes)
    {
        var servers = nodes.Select(n => new ServerApi(n, TestServer.ApiKey)).ToArray();
        try
        {
            var (fixedType, fieldType, achievement) = (Game.Fresh("fixed"), Game.Fresh("field"), Game.Fresh("ten"));
            await servers[0].DefineAsync("/api/rules", new { type = fixedType, xp = 7 });
            await servers[0].DefineAsync("/api/rules", new { type = fieldType, field = "n", factor = 1.5, max = 40 });
            await servers[0].DefineAsync("/api/achievements", new { key = achievement, name = "Ten", type = fixedType, threshold = 10, xp = 100 });

            await Events.SampleAsync(async events =>
            {
                var user = Users.New("prop");
                var ids = new List<string>();
                foreach (var e in events)
                {
                    ids.Add(e.RepeatPrevious && ids.Count > 0 ? ids[^1] : Guid.NewGuid().ToString("N"));
                }
                var answers = await Task.WhenAll(events.Select((e, i) => servers[i % servers.Length].PostAsync("/api/events", new
                {
                    id = ids[i],
                    user,
                    type = e.Kind == 0 ? fixedType : fieldType,
                    data = new { n = e.Value },
                })));
                Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));

                // The distinct events: the first of each id (a repeat carries the same kind as its original only by chance,
                // and whatever it carries, the first one processed wins; so count each id by the event that was processed).
                var processed = answers.Select((a, i) => (a, i)).Where(x => !x.a.Body.GetProperty("duplicate").GetBoolean()).Select(x => events[x.i]).ToList();
                Assert.Equal(ids.Distinct().Count(), processed.Count);
                var expected = processed.Sum(e => e.Kind == 0 ? 7L : Math.Min(40L, (long)Math.Floor(e.Value * 1.5)))
                    + (processed.Count(e => e.Kind == 0) >= 10 ? 100 : 0);
                var profile = await servers[^1].GetAsync($"/api/users/{user}/profile");
                Assert.Equal(expected, profile.Body.Long("xp"));
            }, iter: 12, threads: 1);
        }
        finally
        {
            foreach (var server in servers)
            {
                server.Dispose();
            }
        }
    }
}
