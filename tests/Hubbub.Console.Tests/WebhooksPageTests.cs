using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Hubbub.Console.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Hubbub.Console.Tests;

/// <summary>The webhooks page (staff only), on the webhooks API: a dead letter to a closed port, replayed once the receiver is up.</summary>
[Collection(BrowserCollection.Name)]
public sealed class WebhooksPageTests(BrowserFixture browser, ITestOutputHelper output) : IDisposable
{
    // One attempt makes a delivery dead at once; replay signals the sender, so nothing here waits on a timer.
    private readonly ConsoleServer _server = new(settings: new()
    {
        ["Auth:ApiKey"] = ServerCalls.ApiKey,
        ["Webhooks:MaxAttempts"] = "1",
        ["Webhooks:RetryBaseMs"] = "10",
        ["Webhooks:TimeoutMs"] = "2000",
    });

    [Theory]
    [InlineData(400)]
    [InlineData(1400)]
    public async Task A_dead_letter_to_a_closed_port_is_listed_and_replayed_to_the_receiver_once_it_listens(int width)
    {
        // A loopback port nobody listens on (bound, then released): every attempt is a refused connection.
        var port = LoopbackPort.Free();
        var url = $"http://127.0.0.1:{port}/hooks/" + new string('h', 150);
        await using var staff = await ConsolePage.OpenAsync(browser, _server.BaseAddress, output, width);
        await using var bob = await ConsolePage.OpenAsync(browser, _server.BaseAddress, output);
        await staff.SignInAsync("alice", admin: true);
        await bob.SignInAsync("bob");

        // Bob is a member: no webhooks page for him, not even by its address.
        await Assertions.Expect(bob.Page.Locator("nav a[data-page=webhooks]")).ToHaveCountAsync(0);
        await bob.Page.GotoAsync(_server.BaseAddress + "#/webhooks");
        await Assertions.Expect(bob.Page.Locator("#page-chat")).ToBeVisibleAsync();
        await Assertions.Expect(bob.Page.Locator("#page-webhooks")).ToHaveCountAsync(0);

        // Staff register the endpoint with the page's form: its secret is shown once, the list shows it.
        await staff.Page.Locator("nav a[data-page=webhooks]").ClickAsync();
        var page = staff.Page.Locator("#page-webhooks");
        await Assertions.Expect(page.Locator("#wh-endpoints")).ToContainTextAsync("No endpoint is registered.");
        await page.GetByLabel("URL", new() { Exact = true }).FillAsync(url);
        await page.GetByLabel("Events", new() { Exact = true }).FillAsync("workout.completed, checkin.*");
        await page.Locator("#wh-register").ClickAsync();
        await Assertions.Expect(page.Locator("#wh-secret")).ToContainTextAsync("whsec_");
        var endpoint = page.Locator(".wh-endpoint");
        await Assertions.Expect(endpoint).ToHaveCountAsync(1);
        await Assertions.Expect(endpoint.Locator(".wh-url")).ToHaveTextAsync(url);
        await Assertions.Expect(endpoint.Locator(".wh-events")).ToHaveTextAsync("checkin.*, workout.completed");
        await Assertions.Expect(page.Locator("#wh-deliveries-note")).ToHaveTextAsync("No delivery.");

        // An app event with the key: its one attempt is refused, so the delivery is dead, with the error and Replay.
        await _server.PostAsKeyAsync("/api/events", """{"id":"w-1","user":"bob","type":"workout.completed","data":{"minutes":30}}""");
        await page.Locator("#wh-state").SelectOptionAsync("dead");
        var delivery = page.Locator(".wh-delivery");
        await Assertions.Expect(delivery).ToHaveCountAsync(1);
        await Assertions.Expect(delivery).ToHaveAttributeAsync("data-state", "dead");
        await Assertions.Expect(delivery).ToContainTextAsync("workout.completed");
        await Assertions.Expect(delivery.Locator(".wh-attempts")).ToContainTextAsync("1 attempt");
        await Assertions.Expect(delivery.Locator(".wh-error")).Not.ToBeEmptyAsync();
        var error = await delivery.Locator(".wh-error").TextContentAsync();
        output.WriteLine($"dead letter's error: {error}");
        Assert.DoesNotContain("HTTP", error, StringComparison.Ordinal);
        Assert.False(await staff.ScrollsSidewaysAsync("#page-webhooks .feature-page"), "the webhooks page scrolls sideways");
        await staff.ScreenshotAsync($"webhooks-{width}");

        // The receiver comes up on that port; Replay starts a fresh run of attempts, and the delivery arrives.
        using var receiver = new OneShotReceiver(port);
        await delivery.Locator("button.wh-replay").ClickAsync();
        await Assertions.Expect(staff.Page.Locator(".toast.success", new() { HasText = "is pending again" })).ToHaveCountAsync(1);
        var body = await receiver.Received.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal("workout.completed", JsonDocument.Parse(body).RootElement.GetProperty("type").GetString());
        await Assertions.Expect(page.Locator(".wh-delivery")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#wh-deliveries-note")).ToHaveTextAsync("No dead delivery.");
        await page.Locator("#wh-state").SelectOptionAsync("delivered");
        await Assertions.Expect(delivery).ToHaveAttributeAsync("data-state", "delivered");
        await Assertions.Expect(delivery.Locator(".wh-attempts")).ToContainTextAsync("1 attempt");
        await Assertions.Expect(delivery.Locator(".wh-error")).ToHaveTextAsync("HTTP 200");
        await Assertions.Expect(delivery.Locator("button.wh-replay")).ToHaveCountAsync(0);

        Assert.False(await staff.ScrollsSidewaysAsync("#page-webhooks .feature-page"), "the webhooks page scrolls sideways");
        Assert.Empty(staff.UnexpectedErrors());
        Assert.Empty(bob.UnexpectedErrors());
    }

    /// <summary>A webhook receiver on a raw socket: reads one request, answers 200, and hands over its body.</summary>
    private sealed class OneShotReceiver : IDisposable
    {
        private readonly TcpListener _listener;

        public OneShotReceiver(int port)
        {
            _listener = new TcpListener(IPAddress.Loopback, port);
            _listener.Start();
            Received = ReceiveAsync();
        }

        public Task<string> Received { get; }

        private async Task<string> ReceiveAsync()
        {
            using var client = await _listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var buffer = new List<byte>();
            var chunk = new byte[8192];
            int headerEnd;
            while ((headerEnd = IndexOf(buffer, "\r\n\r\n"u8.ToArray())) < 0)
            {
                var n = await stream.ReadAsync(chunk);
                if (n == 0) throw new IOException("closed before the headers ended");
                buffer.AddRange(chunk.AsSpan(0, n).ToArray());
            }
            var headers = Encoding.ASCII.GetString([.. buffer.Take(headerEnd)]);
            var length = int.Parse(headers.Split("\r\n").First(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))["Content-Length:".Length..].Trim());
            while (buffer.Count < headerEnd + 4 + length)
            {
                var n = await stream.ReadAsync(chunk);
                if (n == 0) throw new IOException("closed before the body ended");
                buffer.AddRange(chunk.AsSpan(0, n).ToArray());
            }
            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray());
            return Encoding.UTF8.GetString([.. buffer.Skip(headerEnd + 4).Take(length)]);
        }

        private static int IndexOf(List<byte> haystack, byte[] needle)
        {
            for (var i = 0; i + needle.Length <= haystack.Count; i++)
            {
                if (haystack.Skip(i).Take(needle.Length).SequenceEqual(needle)) return i;
            }
            return -1;
        }

        public void Dispose() => _listener.Stop();
    }

    public void Dispose() => _server.Dispose();
}
