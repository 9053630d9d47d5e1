using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CsCheck;

namespace Hubbub.Server.Tests.Fuzz;

/// <summary>
/// Issue 22, hostile input: random JSON and mutations of valid requests (<see cref="JsonGen"/>) as WebSocket commands
/// (core and feature commands) and as REST bodies (every kind of POST a backend or user makes). Every command with an
/// <c>id</c> gets exactly its answer, a reply or an error with a protocol code and a message, never <c>internal</c>
/// for bad input, and the connection stays open; every REST answer is below 500, and an error is JSON
/// <c>{code, message}</c>. Afterwards the server is healthy.
/// </summary>
public sealed class HostileJsonTests(FuzzServer fuzz) : IClassFixture<FuzzServer>
{
    /// <summary>Bounded so each property takes seconds; <c>CsCheck_Seed</c> in the environment explores others.</summary>
    private const int Cases = 400;

    private static readonly string Seed = Environment.GetEnvironmentVariable("CsCheck_Seed") ?? "0N0XIzNsQ0O1";

    /// <summary>Valid requests to mutate: type and data.</summary>
    private static readonly (string Type, string Data)[] Commands =
    [
        ("subscribe", """{"channel":"public:fuzz","since":{"offset":1,"epoch":"x"}}"""),
        ("unsubscribe", """{"channel":"public:fuzz"}"""),
        ("publish", """{"channel":"public:fuzz","event":"note","data":{"text":"hi"}}"""),
        ("history", """{"channel":"public:fuzz","since":{"offset":0,"epoch":"x"},"limit":5}"""),
        ("presence", """{"channel":"public:fuzz"}"""),
        ("typing", """{"channel":"public:fuzz","is_typing":true}"""),
        ("cursor", """{"channel":"public:fuzz","x":1,"y":2}"""),
        ("ping", """{"any":[1,2]}"""),
        ("chat.create", """{"kind":"group","title":"t","participants":["bob","carol"]}"""),
        ("chat.send", """{"conversation":"1","text":"hi","client_id":"c-1"}"""),
        ("chat.messages", """{"conversation":"1","before":"5","limit":10}"""),
        ("chat.edit", """{"conversation":"1","message":"1","text":"edited"}"""),
        ("chat.read", """{"conversation":"1","message":"1"}"""),
        ("room.create", """{"id":"fuzz-room","title":"t","members":["bob"]}"""),
        ("room.add_members", """{"room":"fuzz-room","members":["carol"]}"""),
        ("social.post", """{"type":"run","title":"Morning run","data":{"km":5},"id":"client-42"}"""),
        ("social.comment", """{"activity":"1","text":"Nice!"}"""),
        ("social.feed", """{"before":"1234","limit":20}"""),
        ("notifications.read", """{"up_to":"5"}"""),
        ("users.update", """{"name":"Fuzz","timezone":"Europe/Paris"}"""),
        ("auction.bid", """{"auction":"a1","amount":150,"client_id":"tap-1"}"""),
        ("venues.checkin", """{"venue":"gym","location":"front"}"""),
        ("venues.checkout", """{"venue":"gym"}"""),
        ("learning.enroll", """{"course":"c1"}"""),
        ("learning.complete", """{"course":"c1","task":"t1","score":3}"""),
    ];

    /// <summary>POST endpoints and a valid body of each, sent by an admin (who may do what the API key does).</summary>
    private static readonly (string Path, string Body)[] Endpoints =
    [
        ("/api/publish", """{"channel":"public:fuzz","type":"note","data":{"text":"hi"}}"""),
        ("/api/conversations", """{"kind":"group","title":"t","participants":["bob"],"user":"ada"}"""),
        ("/api/conversations/1/messages", """{"text":"hi","client_id":"c-1","user":"ada"}"""),
        ("/api/rooms", """{"id":"r1","members":["bob"],"user":"ada"}"""),
        ("/api/events", """{"id":"e1","user":"ada","type":"workout.completed","data":{"minutes":30}}"""),
        ("/api/rules", """{"type":"workout.completed","xp":10}"""),
        ("/api/achievements", """{"key":"k","name":"n","description":"d","rarity":"rare","xp":5,"hidden":false,"type":"t","threshold":3}"""),
        ("/api/leaderboards", """{"key":"b","name":"B","source":"xp","operator":"incr","period":"all","order":"desc"}"""),
        ("/api/challenges", """{"title":"t","type":"run","goal":10,"starts_at":"2026-01-01T00:00:00Z","ends_at":"2027-01-01T00:00:00Z"}"""),
        ("/api/friends", """{"user":"bob"}"""),
        ("/api/activities", """{"type":"run","title":"Morning run","data":{"km":5}}"""),
        ("/api/venues", """{"id":"gym","name":"Gym","capacity":10,"timezone":"UTC"}"""),
        ("/api/venues/gym/checkins", """{"location":"front","user":"ada"}"""),
        ("/api/courses", """{"title":"C","modules":[{"key":"m","title":"M","tasks":[{"key":"t","title":"T","xp":5}]}]}"""),
        ("/api/wallet/grants", """{"user":"ada","currency":"coins","amount":100,"id":"g1"}"""),
        ("/api/wallet/transfers", """{"to":"bob","currency":"coins","amount":1,"id":"t1"}"""),
        ("/api/auctions", """{"seller":"ada","title":"Lot","currency":"coins","starting_bid":1,"min_increment":1,"ends_at":"2030-01-01T00:00:00Z"}"""),
        ("/api/auctions/a1/bids", """{"amount":5,"client_id":"b1"}"""),
        ("/api/notifications/read", """{"up_to":"5"}"""),
        ("/api/webhooks", """{"url":"http://127.0.0.1:9/hook","events":["message"]}"""),
    ];

    private static readonly Gen<(string Type, string Data)> CommandCases = Gen.Frequency(
        (6, Gen.Int[0, Commands.Length - 1].SelectMany(i => JsonGen.Mutated(Commands[i].Data).Select(data => (Commands[i].Type, data)))),
        (1, Gen.Select(JsonGen.StringLiteral.Select(s => JsonSerializer.Deserialize<string>(s)!), JsonGen.Value(2), (type, data) => (type, data))));

    private static readonly Gen<(string Path, string Body)> BodyCases = Gen.Int[0, Endpoints.Length - 1].SelectMany(i => Gen.Frequency(
        (6, JsonGen.Mutated(Endpoints[i].Body)),
        (1, Gen.OneOf(Gen.Const(""), Gen.Const("{"), Gen.Const("{\"a\":"), Gen.Const("nul"), Gen.Const("[1,2"), Gen.Const("\"\\ud800\""),
            Gen.Const("{\"user\":\"ada\",\"user\":\"bob\"}"), Gen.Const(new string('[', 5000)))))
        .Select(body => (Endpoints[i].Path, body)));

    [Fact]
    public async Task Random_and_mutated_commands_each_get_their_answer_with_a_protocol_code_and_the_connection_stays_open()
    {
        await using var client = await fuzz.Server.ConnectAsync($"cmd-fuzz-{Guid.NewGuid():N}"[..20]);
        var answers = new ConcurrentDictionary<string, int>();
        var id = 1000;
        await CommandCases.SampleAsync(async command =>
        {
            var n = ++id;
            var frame = $$"""{"type":{{JsonSerializer.Serialize(command.Type)}},"id":{{n}},"data":{{command.Data}}}""";
            if (Encoding.UTF8.GetByteCount(frame) > 60_000)
            {
                // Over the frame limit the connection is closed with 1009 (HostileFrameTests covers that), not answered.
                answers.AddOrUpdate("skipped: over the frame limit", 1, (_, c) => c + 1);
                return;
            }
            await client.SendRawAsync(frame);
            var answer = await client.NextAsync(f => f.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.Number && i.GetInt32() == n,
                TimeSpan.FromSeconds(5));
            var type = answer.GetProperty("type").GetString();
            if (type == "error")
            {
                var data = answer.GetProperty("data");
                var code = data.GetProperty("code").GetString()!;
                Assert.True(FuzzServer.ErrorCodes.Contains(code) && code != "internal", $"{command.Type}: {answer}");
                Assert.False(string.IsNullOrWhiteSpace(data.GetProperty("message").GetString()), answer.ToString());
                answers.AddOrUpdate(code, 1, (_, c) => c + 1);
            }
            else
            {
                Assert.True(type is "reply" or "pong", $"{command.Type}: {answer}");
                answers.AddOrUpdate(type!, 1, (_, c) => c + 1);
            }
            Assert.False(client.IsClosed, $"closed after {command.Type} {command.Data}: {client.CloseStatus}");
        }, seed: Seed, iter: Cases, threads: 1, print: c => $"{c.Type} {Shorten(c.Data)}");

        var summary = string.Join(", ", answers.Select(a => $"{a.Key}: {a.Value}"));
        Assert.True(answers.GetValueOrDefault("bad_request") > 50, summary);
        Assert.True(answers.GetValueOrDefault("reply") + answers.GetValueOrDefault("pong") > 20, summary);
        await fuzz.AssertHealthyAsync();
    }

    [Fact]
    public async Task Random_and_mutated_REST_bodies_get_a_status_below_500_and_errors_are_code_and_message()
    {
        using var http = new HttpClient { BaseAddress = fuzz.Server.BaseAddress, Timeout = TimeSpan.FromSeconds(15) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For("fuzz-admin", "Fuzz Admin", ["admin"]));
        var statuses = new ConcurrentDictionary<int, int>();
        await BodyCases.SampleAsync(async request =>
        {
            using var content = new StringContent(request.Body, Encoding.UTF8, "application/json");
            using var response = await http.PostAsync(new Uri(request.Path, UriKind.Relative), content);
            var status = (int)response.StatusCode;
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(status < 500, $"{status} {body}");
            if (status >= 400)
            {
                using var json = JsonDocument.Parse(body);
                var code = json.RootElement.GetProperty("code").GetString()!;
                Assert.True(FuzzServer.ErrorCodes.Contains(code), body);
                Assert.False(string.IsNullOrWhiteSpace(json.RootElement.GetProperty("message").GetString()), body);
            }
            statuses.AddOrUpdate(status, 1, (_, c) => c + 1);
        }, seed: Seed, iter: Cases, threads: 4, print: r => $"POST {r.Path} {Shorten(r.Body)}");

        var summary = string.Join(", ", statuses.Select(s => $"{s.Key}: {s.Value}"));
        Assert.True(statuses.GetValueOrDefault(400) > 50, summary);
        Assert.True(statuses.Where(s => s.Key < 300).Sum(s => s.Value) > 10, summary);
        await fuzz.AssertHealthyAsync();
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + $"… ({text.Length} chars)";
}
