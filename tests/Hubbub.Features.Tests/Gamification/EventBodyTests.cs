using System.Net;
using System.Text;
using System.Text.Json;

namespace Hubbub.Features.Tests.Gamification;

/// <summary>
/// How <c>POST /api/events</c> reads its body: one of a declared length (read straight into an array of that size) or
/// one sent in chunks with no length (read with the bound as it comes) gives the same event; one over the bound
/// (<c>Gamification:MaxBodyBytes</c>, 1 MiB) is refused with <c>too_large</c> either way.
/// </summary>
public sealed class EventBodyTests(SqliteGame fixture) : IClassFixture<SqliteGame>
{
    [Fact]
    public async Task An_event_sent_with_or_without_a_length_is_read_whole_and_one_over_the_bound_is_refused_either_way()
    {
        var type = Game.Fresh("swim");
        using (var server = Game.Server(fixture.Chat))
        {
            await server.DefineAsync("/api/rules", new { type, xp = 7 });
        }
        using var http = new HttpClient { BaseAddress = fixture.Chat.Server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var user = Users.New("bo");
        var total = 0L;
        foreach (var chunked in new[] { false, true })
        {
            // 20 kB of data: more than one read of the body, whichever way it comes.
            var body = Event(user, type, new string('x', 20_000));
            var (status, json) = await PostAsync(http, body, chunked);
            Assert.True(status == HttpStatusCode.OK, $"chunked {chunked}: {status} {json}");
            Assert.Equal(7, json.GetProperty("effects").Long("xp"));
            total = json.GetProperty("effects").Long("total_xp");
        }
        Assert.Equal(14, total);

        var tooLarge = Event(user, type, new string('x', 1024 * 1024));
        foreach (var chunked in new[] { false, true })
        {
            var (status, json) = await PostAsync(http, tooLarge, chunked);
            Assert.True(status == HttpStatusCode.RequestEntityTooLarge, $"chunked {chunked}: {status} {json}");
            Assert.Equal("too_large", json.Str("code"));
        }
    }

    private static string Event(string user, string type, string note) =>
        JsonSerializer.Serialize(new { id = Guid.NewGuid().ToString("N"), user, type, data = new { note } });

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpClient http, string body, bool chunked)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/events")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Api-Key", TestServer.ApiKey);
        request.Headers.TransferEncodingChunked = chunked; // no Content-Length: the body's end is its last chunk
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }
}
