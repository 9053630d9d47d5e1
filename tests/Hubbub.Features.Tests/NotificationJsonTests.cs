using System.Text.Encodings.Web;
using System.Text.Json;
using Hubbub.Features.Kit;
using Hubbub.Features.Kit.Notifications;

namespace Hubbub.Features.Tests;

/// <summary>
/// A notification's live event written from its stored parts (<see cref="NotificationJson"/>) is byte for byte what
/// serializing its <see cref="NotificationView"/> gives, as before the shortcut.
/// </summary>
public sealed class NotificationJsonTests
{
    private const long Now = 1_765_000_000_123;

    public static TheoryData<string> Texts => new()
    {
        "plain",
        "quote \" backslash \\ slash / tab \t newline \n nul \u0001",
        "<script>alert('x')</script> & +",
        "Ünïcødé, 日本語, emoji 😀 and a surrogate pair 𝄞",
        "",
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void The_live_event_of_compact_default_escaped_data_is_what_serializing_its_view_gives(string text)
    {
        var data = JsonSerializer.Serialize(new Sample(text, 3, 1.5e300, -0.25, [text, null], new Dictionary<string, string> { [text] = text }));
        Assert.True(NotificationJson.IsCanonical(JsonSerializerOptions.Default));

        var live = NotificationJson.Live(42, new NewNotification("u1", "overtaken", data, "overtaken:xp", Canonical: true), Now);

        Assert.Equal(ViewJson(42, "overtaken", data), live);
    }

    [Fact]
    public void Data_written_with_another_encoder_or_indented_goes_through_the_view()
    {
        var relaxed = new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var indented = new JsonSerializerOptions { WriteIndented = true };
        Assert.False(NotificationJson.IsCanonical(relaxed));
        Assert.False(NotificationJson.IsCanonical(indented));
        foreach (var options in new[] { relaxed, indented })
        {
            var data = JsonSerializer.Serialize(new Sample("é <b>", 1, 2, 3, [], []), options);
            Assert.Equal(ViewJson(7, "level_up", data), NotificationJson.Live(7, new NewNotification("u", "level_up", data, Canonical: false), Now));
        }
    }

    private static string ViewJson(long id, string type, string data) => JsonSerializer.Serialize(
        new NotificationView(id.ToString(System.Globalization.CultureInfo.InvariantCulture), type,
            JsonSerializer.Deserialize(data, KitJsonContext.Default.JsonElement), DateTimeOffset.FromUnixTimeMilliseconds(Now).UtcDateTime, false),
        KitJsonContext.Default.NotificationView);

    private sealed record Sample(string Text, int Rank, double Big, double Small, string?[] List, Dictionary<string, string> Map);
}
