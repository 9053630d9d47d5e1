using Hubbub.Features.Venues;

namespace Hubbub.Features.Tests.Venues;

/// <summary>Local days: every day starts at the first instant that falls on it, also where DST skips or repeats midnight.</summary>
public sealed class VenueDayTests
{
    [Theory]
    [InlineData("UTC")]
    [InlineData("Europe/Berlin")]
    [InlineData("Pacific/Auckland")]
    [InlineData("America/Los_Angeles")]
    [InlineData("America/Santiago")] // DST begins at midnight: 00:00 does not exist on that day
    [InlineData("America/Havana")]
    [InlineData("Asia/Beirut")]
    [InlineData("Australia/Lord_Howe")] // half-hour DST
    public void Each_day_starts_at_its_first_instant(string id)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(id);
        for (var day = new DateOnly(2029, 1, 1); day < new DateOnly(2031, 1, 1); day = day.AddDays(1))
        {
            var start = VenueDay.StartOf(day, zone);
            Assert.Equal(day, VenueDay.Of(start, zone));
            Assert.Equal(day.AddDays(-1), VenueDay.Of(start - 1, zone));
        }
    }
}
