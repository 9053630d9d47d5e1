using System.Net;
using static Hubbub.Features.Tests.Venues.VenueHarness;

namespace Hubbub.Features.Tests.Venues;

/// <summary>
/// <c>Venues:MaxSessionHours</c> takes fractions, so the automatic check-out (FEATURES.md: "closed by the server
/// (auto: true)") can be seen on the real clock in seconds, as an app's own test or a short trial would; values out of
/// range or not numbers are refused when the server starts.
/// </summary>
public sealed class VenueShortSessionTests
{
    [Fact]
    public async Task A_fraction_of_an_hour_checks_the_member_out_on_the_real_clock()
    {
        // 0.0005 h = 1.8 s; the default poll (2 s) is left alone: scheduling the job wakes this node's runner.
        using var host = new TestServer(new() { ["Venues:MaxSessionHours"] = "0.0005" });
        var venue = await CreateVenueAsync(host, capacity: 3);
        var ada = Users.New("ada");
        await using var dashboard = await ConnectAsync(host, Users.New("staff"));
        await dashboard.SubscribeAsync($"venue:{venue}");
        using var server = AsServer(host);
        Assert.Equal(HttpStatusCode.Created, (await CheckInAsync(server, venue, ada)).Status);

        var closed = (await dashboard.NextAsync(f => f.Type() == "member_checked_out", TimeSpan.FromSeconds(20))).GetProperty("data");
        Assert.True(closed.GetProperty("auto").GetBoolean());
        Assert.Equal(ada, closed.GetProperty("user").GetString());
        Assert.InRange(closed.GetProperty("duration_s").GetInt64(), 1, 10);
        var visit = Assert.Single(await VisitsAsync(host, venue));
        Assert.Equal(1, visit.Auto);
        Assert.InRange(visit.CheckedOutMs!.Value - visit.CheckedInMs, 1_800, 15_000);
        Assert.Equal("not_checked_in", (await CheckOutAsync(server, venue, ada)).Reason());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("0.0001")]
    [InlineData("337")]
    [InlineData("NaN")]
    public void Out_of_range_values_are_refused_with_the_range(string hours)
    {
        var options = new Hubbub.Features.Venues.VenuesOptions { MaxSessionHours = double.Parse(hours, System.Globalization.CultureInfo.InvariantCulture) };
        Assert.Contains(options.Validate(), p => p.StartsWith("Venues:MaxSessionHours must be from 0.0003", StringComparison.Ordinal));
    }
}
