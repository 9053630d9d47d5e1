using System.Text;
using Hubbub.Server.Tests.Infrastructure;

namespace Hubbub.Server.Tests.Realtime;

/// <summary>
/// Issue 13, finding 7: an upgrade head gets the same answer, at the same time, whichever door it takes: the
/// connection layer (<c>Hubbub:ConnectionLevelAccept=true</c>) or Kestrel's HTTP layer alone. The connection layer
/// accepted heads Kestrel refuses (400, 414, 431), left a bare-LF head unanswered until its own 408 where Kestrel
/// answers 101, and counted a trickled head's time twice (59 s where Kestrel cuts at 31 s).
/// </summary>
public sealed class UpgradeDoorParityTests(TwoDoors doors) : IClassFixture<TwoDoors>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static int s_users;

    /// <summary>A browser-like upgrade head with a fresh user's token; <c>{token}</c> in the parts is replaced by it.</summary>
    private static string Head(string target = "/ws?access_token={token}", string host = "hubbub.test", string extra = "", string lineEnd = "\r\n") =>
        ($"GET {target} HTTP/1.1{lineEnd}Host: {host}{lineEnd}Upgrade: websocket{lineEnd}Connection: Upgrade{lineEnd}"
            + $"Sec-WebSocket-Key: {RawConnection.UpgradeKey}{lineEnd}Sec-WebSocket-Version: 13{lineEnd}{extra}{lineEnd}")
        .Replace("{token}", TestTokens.For($"parity{Interlocked.Increment(ref s_users)}"), StringComparison.Ordinal);

    public static TheoryData<string, string, string, bool> Heads() => new()
    {
        // why, head, the answer on both doors, whether the connection layer takes it itself
        { "an ordinary upgrade", Head(), "101", true },
        { "an IPv6 Host with a port", Head(host: "[::1]:8080"), "101", true },
        { "bare-LF line ends", Head(lineEnd: "\n"), "101", false },
        { "two Content-Length: 0", Head(extra: "Content-Length: 0\r\nContent-Length: 0\r\n"), "400", false },
        { "a Host with a space", Head(host: "a b"), "400", false },
        { "a Host with a path", Head(host: "evil/x"), "400", false },
        { "a Host with user info", Head(host: "user@evil"), "400", false },
        { "a Host with a port of letters", Head(host: "127.0.0.1:abc"), "400", false },
        { "a Host of markup", Head(host: "<script>"), "400", false },
        { "200 more headers", Head(extra: string.Concat(Enumerable.Range(0, 200).Select(i => $"X-H{i}: v\r\n"))), "431", false },
        { "a 9,000-character target", Head(target: "/ws?access_token={token}&pad=" + new string('a', 9000)), "414", false },
    };

    [Theory]
    [MemberData(nameof(Heads))]
    public async Task A_head_gets_the_same_answer_on_both_doors(string why, string head, string answer, bool takenOnTheConnection)
    {
        var bytes = Encoding.ASCII.GetBytes(head);
        var onConnection = await HeadExchange.SendAsync(doors.ConnectionLayer, bytes, Wait);
        var onHttp = await HeadExchange.SendAsync(doors.HttpLayer, bytes, Wait);

        Assert.True(onHttp.Answer == answer, $"{why}, HTTP layer: {onHttp.Head}");
        Assert.True(onConnection.Answer == answer, $"{why}, connection layer: {onConnection.Head}");
        Assert.True(onConnection.FromHttpLayer != takenOnTheConnection, $"{why}: answered by the wrong layer: {onConnection.Head}");
    }

    [Theory]
    [InlineData("GET /w", "x HTTP/1.1\r\nHost: hubbub.test\r\n")] // another path, known only when its 7th byte comes
    [InlineData("GET /ws?access_token={token}", " HTTP/1.1\nHost: hubbub.test\n")] // bare LF line ends
    public async Task A_head_that_turns_unusual_late_is_cut_when_kestrel_would_cut_it(string start, string late)
    {
        // Its first bytes could begin an ordinary upgrade; the next, after 90% of the headers timeout, make it one the
        // connection layer leaves to the HTTP layer; a header line every 300 ms never ends it. Handed on at that
        // moment, it got Kestrel's whole timeout again (issue 13: held 59 s where Kestrel cuts at 31 s).
        var pieces = new List<(TimeSpan, byte[])>
        {
            (TimeSpan.Zero, Encoding.ASCII.GetBytes(start.Replace("{token}", TestTokens.For("parity-slow"), StringComparison.Ordinal))),
            (TwoDoors.HeadersTimeout * 0.9, Encoding.ASCII.GetBytes(late)),
        };
        pieces.AddRange(Enumerable.Repeat((TimeSpan.FromMilliseconds(300), Encoding.ASCII.GetBytes("X-A: b\r\n")), 40));

        var outcomes = await Task.WhenAll(doors.Both.Select(async door => (door.Door, Outcome: await HeadExchange.SendAsync(door.Server, TimeSpan.FromSeconds(15), [.. pieces]))));

        foreach (var (door, outcome) in outcomes)
        {
            Assert.True(outcome.Answer == "408", $"{door}: {outcome.Answer} {outcome.Head}");
            Assert.True(outcome.Elapsed < TwoDoors.HeadersTimeout + TwoDoors.KestrelLateness, $"{door}: 408 after {outcome.Elapsed}");
        }
    }

    [Fact]
    public async Task A_silent_connection_is_closed_unanswered_after_the_keep_alive_timeout_as_kestrel_closes_it()
    {
        var outcomes = await Task.WhenAll(doors.Both.Select(async door =>
            (door.Door, Outcome: await HeadExchange.SendAsync(door.Server, TwoDoors.KeepAliveTimeout + TwoDoors.KestrelLateness + TimeSpan.FromSeconds(1)))));

        foreach (var (door, outcome) in outcomes)
        {
            Assert.True(outcome.Answer == "closed", $"{door}: {outcome.Answer} {outcome.Head}");
            // Not the headers timeout, which starts with the first byte.
            Assert.True(outcome.Elapsed > TwoDoors.HeadersTimeout + TimeSpan.FromSeconds(1), $"{door}: closed after {outcome.Elapsed}");
        }
    }

    [Fact]
    public async Task The_headers_timeout_counts_from_the_first_byte()
    {
        // Silent for 60% of the headers timeout, then an ordinary upgrade in two halves 60% apart: complete after
        // 120% of it since the connection opened, 60% since its first byte.
        var head = Encoding.ASCII.GetBytes(Head());
        var gap = TwoDoors.HeadersTimeout * 0.6;

        var outcomes = await Task.WhenAll(doors.Both.Select(async door =>
            (door.Door, Outcome: await HeadExchange.SendAsync(door.Server, Wait, (gap, head[..20]), (gap, head[20..])))));

        foreach (var (door, outcome) in outcomes)
        {
            Assert.True(outcome.Answer == "101", $"{door}: {outcome.Answer} {outcome.Head}");
        }
    }
}
