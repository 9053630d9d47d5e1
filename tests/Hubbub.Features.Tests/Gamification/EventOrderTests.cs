using Hubbub.Features.Tests.Infrastructure;

namespace Hubbub.Features.Tests.Gamification;

public sealed class SqliteEventOrderTests(SqliteGame fixture) : EventOrderTests(fixture), IClassFixture<SqliteGame>;

public sealed class PostgresEventOrderTests(PostgresGame fixture) : EventOrderTests(fixture), IClassFixture<PostgresGame>;

/// <summary>
/// A user's live events come in the order their events committed ("exactly once, together, in order per user"): under
/// concurrent events of one user each <c>xp_gained</c>'s <c>total</c> is above the one before, and the last is the
/// profile's XP.
/// </summary>
public abstract class EventOrderTests(GameFixture fixture)
{
    private ChatServer Chat => fixture.Chat;

    [Fact]
    public async Task Concurrent_events_of_one_user_are_told_live_in_the_order_they_committed()
    {
        using var server = Game.Server(Chat);
        var type = Game.Fresh("rep");
        await server.DefineAsync("/api/rules", new { type, xp = 10 });
        const int Rounds = 3, Events = 40;
        for (var round = 0; round < Rounds; round++)
        {
            var ada = Users.New("ada");
            await using var ws = await Chat.ConnectAsync(ada, "Ada");
            await ws.SubscribeAsync($"user:{ada}");

            await Task.WhenAll(Enumerable.Range(0, Events).Select(_ => Task.Run(() => server.EventAsync(ada, type))));

            var totals = new List<long>();
            for (var i = 0; i < Events; i++)
            {
                totals.Add((await ws.NextAsync(f => f.Type() == "xp_gained")).GetProperty("data").Long("total"));
            }
            Assert.Equal(Enumerable.Range(1, Events).Select(n => n * 10L), totals);
            Assert.Equal(Events * 10L, (await server.GetAsync($"/api/users/{ada}/profile")).Body.Long("xp"));
        }
    }
}
