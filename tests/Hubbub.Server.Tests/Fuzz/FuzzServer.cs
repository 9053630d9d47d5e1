namespace Hubbub.Server.Tests.Fuzz;

/// <summary>
/// One real server (Kestrel on loopback, every feature on, SQLite) for a fuzz class, with the per-connection and
/// messaging rate limits raised so the properties test the answers to hostile input, not the flood protection.
/// </summary>
public sealed class FuzzServer : IDisposable
{
    public TestServer Server { get; } = new(new Dictionary<string, string?>
    {
        ["Hubbub:MessagesPerSecond"] = "100000",
        ["Hubbub:Burst"] = "100000",
        ["Messaging:SendsPerSecond"] = "100000",
        ["Messaging:SendBurst"] = "100000",
    });

    /// <summary>The error codes of PROTOCOL.md, the only ones an answer may carry.</summary>
    public static readonly HashSet<string> ErrorCodes =
        ["bad_request", "unauthorized", "forbidden", "not_found", "conflict", "rate_limited", "too_large", "internal"];

    /// <summary>
    /// The server is healthy after the abuse: <c>/healthz</c> answers, and a fresh client connects, subscribes,
    /// publishes and gets its publication. Nothing was logged as critical or as an unhandled exception.
    /// </summary>
    public async Task AssertHealthyAsync()
    {
        using (var health = await Server.Http.GetAsync(new Uri("/healthz", UriKind.Relative)))
        {
            Assert.True(health.IsSuccessStatusCode, $"/healthz {(int)health.StatusCode}");
        }
        var channel = $"public:after-fuzz-{Guid.NewGuid():N}";
        await using var fresh = await Server.ConnectAsync($"fresh-{Guid.NewGuid():N}"[..20]);
        await fresh.SubscribeAsync(channel);
        await fresh.OkAsync("publish", new { channel, data = new { text = "still here" } });
        var publications = await fresh.WaitForPublicationsAsync(channel, 1);
        Assert.Equal("still here", publications[0].GetProperty("data").GetProperty("text").GetString());
        Assert.DoesNotContain(Server.Logs, l => l.StartsWith("Critical", StringComparison.Ordinal)
            || l.Contains("Unhandled exception", StringComparison.OrdinalIgnoreCase));
    }

    public void Dispose() => Server.Dispose();
}
