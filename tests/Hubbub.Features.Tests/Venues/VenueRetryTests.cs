using System.Net;
using static Hubbub.Features.Tests.Venues.VenueHarness;

namespace Hubbub.Features.Tests.Venues;

public sealed class VenueRetrySqliteTests(SqliteVenueServer fixture) : VenueRetryTests(fixture), IClassFixture<SqliteVenueServer>;

public sealed class VenueRetryPostgresTests(PostgresVenueServer fixture) : VenueRetryTests(fixture), IClassFixture<PostgresVenueServer>;

/// <summary>
/// Check-in and check-out with a <c>client_id</c> (issue 22, found by the bench's chaos run): a member whose node was
/// stopped (SIGSTOP) retried a check-in elsewhere, checked out, and the stopped node, continued, then carried out the
/// check-in it still held: a second visit nobody asked for, and the member's next check-in refused. With the
/// <c>client_id</c> a retry or late copy answers the first check-in and changes nothing.
/// </summary>
public abstract class VenueRetryTests(VenueServerFixture fixture)
{
    private TestServer Host => fixture.Chat.Server;

    [Fact]
    public async Task A_late_copy_of_a_check_in_with_its_client_id_after_the_check_out_makes_no_second_visit()
    {
        var venue = await CreateVenueAsync(Host);
        var ada = Users.New("ada");
        await using var ws = await ConnectAsync(Host, ada);

        var first = await ws.OkAsync("venues.checkin", new { venue, client_id = "in-1" });
        var retried = await ws.OkAsync("venues.checkin", new { venue, client_id = "in-1" });
        Assert.Equal(first.GetProperty("id").GetString(), retried.GetProperty("id").GetString());
        var checkedOut = await ws.OkAsync("venues.checkout", new { venue, client_id = "out-1" });
        var retriedOut = await ws.OkAsync("venues.checkout", new { venue, client_id = "out-1" });
        Assert.Equal(checkedOut.GetProperty("checked_out_at").GetString(), retriedOut.GetProperty("checked_out_at").GetString());

        // The late copy, after the check-out: the first visit again, nothing new.
        var late = await ws.OkAsync("venues.checkin", new { venue, client_id = "in-1" });
        Assert.Equal(first.GetProperty("id").GetString(), late.GetProperty("id").GetString());
        using var asAda = AsUser(Host, ada);
        var overRest = await asAda.PostAsync($"/api/venues/{venue}/checkins", new { client_id = "in-1" });
        Assert.True(overRest.Status is HttpStatusCode.Created or HttpStatusCode.OK, overRest.ToString());
        Assert.Equal(first.GetProperty("id").GetString(), overRest.Body.GetProperty("id").GetString());
        var stats = await StatsAsync(Host, venue);
        Assert.Equal(0, stats.GetProperty("present").GetInt64());
        Assert.Equal(1, stats.GetProperty("checkins_today").GetInt64());
        Assert.Equal(1, stats.GetProperty("checkouts_today").GetInt64());
        Assert.Single(await VisitsAsync(Host, venue));

        // Another client_id is another check-in.
        var second = await ws.OkAsync("venues.checkin", new { venue, client_id = "in-2" });
        Assert.NotEqual(first.GetProperty("id").GetString(), second.GetProperty("id").GetString());
        Assert.Equal(1, (await StatsAsync(Host, venue)).GetProperty("present").GetInt64());
    }

    [Fact]
    public async Task A_client_id_that_is_empty_too_long_or_has_control_characters_is_bad_request()
    {
        var venue = await CreateVenueAsync(Host);
        using var asBob = AsUser(Host, Users.New("bob"));
        foreach (var clientId in new[] { "", new string('x', 129), "a\u0001b" })
        {
            var refused = await asBob.PostAsync($"/api/venues/{venue}/checkins", new { client_id = clientId });
            Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
            Assert.Equal("bad_request", refused.Code);
            Assert.Contains("client_id", refused.Body.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
        Assert.Equal(0, (await StatsAsync(Host, venue)).GetProperty("present").GetInt64());
    }
}
