using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hubbub.Console.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Hubbub.Console.Tests;

/// <summary>Two people chatting in two browser contexts on the real server, in a real Chromium.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class ChatTests(BrowserFixture browser, ITestOutputHelper output) : IDisposable
{
    private readonly ConsoleServer _server = new();

    private static ILocator Messages(ConsolePage p) => p.Page.Locator("#messages .msg .text");

    /// <summary>Alice starts a direct conversation with Bob; both end up looking at it.</summary>
    private static async Task StartConversationAsync(ConsolePage alice, ConsolePage bob)
    {
        await alice.Page.Locator("#new-conv-toggle").ClickAsync();
        await alice.Page.Locator("#new-conv input[name=participants]").FillAsync("bob");
        await alice.Page.Locator("#new-conv button[type=submit]").ClickAsync();
        await Assertions.Expect(alice.Page.Locator("#conv-title")).ToHaveTextAsync("Bob");
        // Bob learns of it live (conversation_added on user:bob) and opens it.
        await Assertions.Expect(bob.Page.Locator("#conversations .conv")).ToHaveCountAsync(1);
        await bob.Page.Locator("#conversations .conv").First.ClickAsync();
        await Assertions.Expect(bob.Page.Locator("#conv-title")).ToHaveTextAsync("Alice");
    }

    private static async Task SendAsync(ConsolePage from, string text)
    {
        await from.Page.Locator("#composer input[name=text]").FillAsync(text);
        await from.Page.Locator("#composer input[name=text]").PressAsync("Enter");
    }

    [Fact]
    public async Task Two_users_chat_with_typing_online_dots_unread_badges_receipts_and_last_seen()
    {
        await using var alice = await ConsolePage.OpenAsync(browser, _server.BaseAddress, output);
        await using var bob = await ConsolePage.OpenAsync(browser, _server.BaseAddress, output);
        await alice.SignInAsync("alice");
        await bob.SignInAsync("bob");
        await StartConversationAsync(alice, bob);

        // Online dots and status line, both ways.
        await Assertions.Expect(alice.Page.Locator("#conversations .conv .dot.online")).ToHaveCountAsync(1);
        await Assertions.Expect(alice.Page.Locator("#peer-status")).ToHaveTextAsync("online");
        await Assertions.Expect(bob.Page.Locator("#peer-status")).ToHaveTextAsync("online");

        // Typing shows while Alice types, and clears when her message arrives.
        await alice.Page.Locator("#composer input[name=text]").PressSequentiallyAsync("Hel");
        await Assertions.Expect(bob.Page.Locator("#typing")).ToHaveTextAsync("Alice is typing…");
        await Assertions.Expect(bob.Page.Locator("#conversations .conv .conv-preview")).ToHaveTextAsync("Alice typing…");
        await bob.ScreenshotAsync("chat-typing");
        await alice.Page.Locator("#composer input[name=text]").PressSequentiallyAsync("lo Bob");
        await alice.Page.Locator("#composer input[name=text]").PressAsync("Enter");
        await Assertions.Expect(Messages(bob)).ToHaveTextAsync(["Hello Bob"]);
        await Assertions.Expect(bob.Page.Locator("#typing")).ToHaveTextAsync("");
        await Assertions.Expect(Messages(alice)).ToHaveTextAsync(["Hello Bob"]);

        // Bob has it open: a read receipt reaches Alice.
        await Assertions.Expect(alice.Page.Locator("#messages .receipt")).ToHaveTextAsync("Seen by Bob");

        // Typing that is not followed by a message clears by itself (the server's 3 s expiry).
        await bob.Page.Locator("#composer input[name=text]").PressSequentiallyAsync("hmm");
        await Assertions.Expect(alice.Page.Locator("#typing")).ToHaveTextAsync("Bob is typing…");
        await Assertions.Expect(alice.Page.Locator("#typing")).ToHaveTextAsync("", new() { Timeout = 10000 });
        await bob.Page.Locator("#composer input[name=text]").FillAsync("");

        // Alice looks at another page: Bob's messages raise her unread badge; coming back clears it.
        await alice.Page.Locator("nav a[data-page=tester]").ClickAsync();
        await SendAsync(bob, "Hi Alice!");
        await SendAsync(bob, "Are you there?");
        await Assertions.Expect(Messages(bob)).ToHaveTextAsync(["Hello Bob", "Hi Alice!", "Are you there?"]);
        await alice.Page.Locator("nav a[data-page=chat]").ClickAsync();
        await Assertions.Expect(alice.Page.Locator("#conversations .conv .badge")).ToHaveCountAsync(0);
        await Assertions.Expect(Messages(alice)).ToHaveTextAsync(["Hello Bob", "Hi Alice!", "Are you there?"]);
        await Assertions.Expect(bob.Page.Locator("#messages .receipt")).ToHaveTextAsync("Seen by Alice");
        await alice.ScreenshotAsync("chat-alice");
        await bob.ScreenshotAsync("chat-bob");

        // Bob goes offline: Alice sees the dot go grey and "last seen".
        var bobErrors = bob.UnexpectedErrors().ToList();
        await bob.DisposeAsync();
        await Assertions.Expect(alice.Page.Locator("#peer-status")).ToHaveTextAsync(new Regex("^last seen (just now|\\d+ min ago)$"));
        await Assertions.Expect(alice.Page.Locator("#conversations .conv .dot.online")).ToHaveCountAsync(0);
        await alice.ScreenshotAsync("chat-last-seen");
        Assert.Empty(alice.UnexpectedErrors());
        Assert.Empty(bobErrors);
    }

    [Fact]
    public async Task Unread_badge_counts_messages_in_a_conversation_not_open()
    {
        await using var alice = await ConsolePage.OpenAsync(browser, _server.BaseAddress, output);
        await using var bob = await ConsolePage.OpenAsync(browser, _server.BaseAddress, output);
        await alice.SignInAsync("alice");
        await bob.SignInAsync("bob");
        await StartConversationAsync(alice, bob);
        await alice.Page.Locator("nav a[data-page=tester]").ClickAsync();
        await SendAsync(bob, "one");
        await SendAsync(bob, "two");
        await Assertions.Expect(Messages(bob)).ToHaveTextAsync(["one", "two"]);
        // The badge is on the conversation list, kept while Alice is away from the chat page.
        await Assertions.Expect(alice.Page.Locator("#conversations .conv .badge")).ToHaveTextAsync("2");
        await alice.Page.Locator("nav a[data-page=chat]").ClickAsync();
        await Assertions.Expect(alice.Page.Locator("#conversations .conv .badge")).ToHaveCountAsync(0);

        // A reload shows the server's unread count, which the read receipt brought to zero.
        await alice.Page.ReloadAsync();
        await Assertions.Expect(Messages(alice)).ToHaveTextAsync(["one", "two"]);
        await Assertions.Expect(alice.Page.Locator("#conversations .conv .badge")).ToHaveCountAsync(0);
        Assert.Empty(alice.UnexpectedErrors());
    }

    [Fact]
    public async Task Earlier_messages_load_page_by_page()
    {
        // Bob writes 55 messages through the REST API before Alice ever opens the console (in one burst,
        // so this server allows a larger one than the default).
        using var server = new ConsoleServer(settings: new() { ["Messaging:SendBurst"] = "100" });
        var bobToken = await DevTokenAsync(server, "bob", "Bob");
        await DevTokenAsync(server, "alice", "Alice");
        using var create = Authorized(HttpMethod.Post, "/api/conversations", bobToken, """{"participants":["alice"]}""");
        var created = await server.Http.SendAsync(create);
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        for (var i = 1; i <= 55; i++)
        {
            using var send = Authorized(HttpMethod.Post, $"/api/conversations/{id}/messages", bobToken, $$"""{"text":"message {{i}}"}""");
            (await server.Http.SendAsync(send)).EnsureSuccessStatusCode();
        }

        await using var alice = await ConsolePage.OpenAsync(browser, server.BaseAddress, output);
        await alice.SignInAsync("alice");
        await Assertions.Expect(alice.Page.Locator("#conversations .conv .badge")).ToHaveCountAsync(0); // read on open
        await Assertions.Expect(Messages(alice)).ToHaveCountAsync(50);
        await Assertions.Expect(Messages(alice).First).ToHaveTextAsync("message 6");
        await Assertions.Expect(Messages(alice).Last).ToHaveTextAsync("message 55");
        await alice.Page.Locator("#load-older").ClickAsync();
        await Assertions.Expect(Messages(alice)).ToHaveCountAsync(55);
        await Assertions.Expect(Messages(alice).First).ToHaveTextAsync("message 1");
        await Assertions.Expect(alice.Page.Locator("#load-older")).ToHaveCountAsync(0);
        Assert.Empty(alice.UnexpectedErrors());
    }

    private static async Task<string> DevTokenAsync(ConsoleServer server, string user, string name)
    {
        var response = await server.Http.PostAsJsonAsync("/api/dev/token", new { user, name });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    private static HttpRequestMessage Authorized(HttpMethod method, string path, string token, string json) =>
        new(method, path)
        {
            Headers = { Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token) },
            Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json"),
        };

    [Fact]
    public async Task A_cut_connection_shows_reconnecting_then_catches_up_with_messages_sent_meanwhile()
    {
        using var proxy = new LoopbackProxy(_server.BaseAddress);
        await using var alice = await ConsolePage.OpenAsync(browser, proxy.Address, output);
        await using var bob = await ConsolePage.OpenAsync(browser, _server.BaseAddress, output);
        await alice.SignInAsync("alice");
        await bob.SignInAsync("bob");
        await StartConversationAsync(alice, bob);
        await SendAsync(bob, "before the cut");
        await Assertions.Expect(Messages(alice)).ToHaveTextAsync(["before the cut"]);

        proxy.Cut();
        await Assertions.Expect(alice.Page.Locator("#conn")).ToHaveAttributeAsync("data-state", "reconnecting");
        await Assertions.Expect(alice.Page.Locator("#conn-text")).ToHaveTextAsync(new Regex(@"^reconnecting in \d+s$"));
        await SendAsync(bob, "while you were away 1");
        await SendAsync(bob, "while you were away 2");
        await Assertions.Expect(Messages(bob)).ToHaveTextAsync(["before the cut", "while you were away 1", "while you were away 2"]);
        // Alice writes while offline: the SDK queues the send.
        await SendAsync(alice, "written offline");
        await Assertions.Expect(alice.Page.Locator("#messages .msg.pending .text")).ToHaveTextAsync("written offline");
        await alice.ScreenshotAsync("chat-reconnecting");

        proxy.Restore();
        await Assertions.Expect(alice.Page.Locator("#conn")).ToHaveAttributeAsync("data-state", "connected", new() { Timeout = 30000 });
        await Assertions.Expect(Messages(alice)).ToHaveTextAsync(
            ["before the cut", "while you were away 1", "while you were away 2", "written offline"]);
        await Assertions.Expect(alice.Page.Locator("#messages .msg.pending")).ToHaveCountAsync(0);
        await Assertions.Expect(Messages(bob)).ToHaveTextAsync(
            ["before the cut", "while you were away 1", "while you were away 2", "written offline"]);
        await alice.ScreenshotAsync("chat-caught-up");
        Assert.Empty(alice.UnexpectedErrors());
        Assert.Empty(bob.UnexpectedErrors());
    }

    [Fact]
    public async Task After_a_server_restart_history_cannot_be_replayed_so_the_page_says_so_and_reloads_the_conversation()
    {
        // The first server keeps its channel history in memory: a restart starts every channel under a new
        // epoch, so the page's resubscribe gets recovered:false. The messages themselves are in the database.
        var data = Directory.CreateTempSubdirectory("hubbub-console-restart-").FullName;
        try
        {
            using var first = new ConsoleServer(dataDirectory: data); // disposed mid-test; a second Dispose is a no-op
            using var proxy = new LoopbackProxy(first.BaseAddress);
            await using var alice = await ConsolePage.OpenAsync(browser, proxy.Address, output);
            await using var bob = await ConsolePage.OpenAsync(browser, first.BaseAddress, output);
            await alice.SignInAsync("alice");
            await bob.SignInAsync("bob");
            await StartConversationAsync(alice, bob);
            await SendAsync(bob, "before the restart");
            await Assertions.Expect(Messages(alice)).ToHaveTextAsync(["before the restart"]);
            var bobToken = await bob.Page.EvaluateAsync<string>("() => sessionStorage.getItem('hubbub.console.token')");
            var conversation = await alice.Page.Locator("#conversations .conv").First.GetAttributeAsync("data-id");

            proxy.Cut();
            await Assertions.Expect(alice.Page.Locator("#conn")).ToHaveAttributeAsync("data-state", "reconnecting");
            await bob.DisposeAsync();
            first.Dispose();
            using var second = new ConsoleServer(dataDirectory: data);
            using (var send = Authorized(HttpMethod.Post, $"/api/conversations/{conversation}/messages", bobToken, """{"text":"after the restart"}"""))
            {
                (await second.Http.SendAsync(send)).EnsureSuccessStatusCode();
            }
            proxy.Retarget(second.BaseAddress);
            proxy.Restore();

            await Assertions.Expect(alice.Page.Locator("#conn")).ToHaveAttributeAsync("data-state", "connected", new() { Timeout = 30000 });
            await Assertions.Expect(alice.Page.Locator(".toast.warn", new() { HasText = "could not be replayed" })).ToHaveCountAsync(1);
            await Assertions.Expect(Messages(alice)).ToHaveTextAsync(["before the restart", "after the restart"]);
            await alice.ScreenshotAsync("chat-not-recovered");
            Assert.Empty(alice.UnexpectedErrors());
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Markup_in_messages_names_and_titles_is_shown_as_text_and_runs_nothing()
    {
        const string img = "<img src=x onerror=\"window.__xss=1;alert(1)\">";
        const string script = "<script>window.__xss=2;alert(2)</script>";
        const string title = "<img src=y onerror=\"window.__xss=3\"> team";
        await using var alice = await ConsolePage.OpenAsync(browser, _server.BaseAddress, output);
        await using var bob = await ConsolePage.OpenAsync(browser, _server.BaseAddress, output);
        await alice.SignInAsync("alice");
        await bob.SignInAsync("bob");

        await alice.Page.Locator("#new-conv-toggle").ClickAsync();
        await alice.Page.Locator("#new-conv input[name=participants]").FillAsync("bob, carol");
        await alice.Page.Locator("#new-conv input[name=title]").FillAsync(title);
        await alice.Page.Locator("#new-conv button[type=submit]").ClickAsync();
        await Assertions.Expect(alice.Page.Locator("#conv-title")).ToHaveTextAsync(title);
        await SendAsync(alice, img);
        await SendAsync(alice, script);
        await SendAsync(alice, "<b>not bold</b> & <a href=\"javascript:alert(3)\">link</a>");

        await Assertions.Expect(bob.Page.Locator("#conversations .conv .conv-title")).ToHaveTextAsync(title);
        await bob.Page.Locator("#conversations .conv").First.ClickAsync();
        await Assertions.Expect(Messages(bob)).ToHaveTextAsync([img, script, "<b>not bold</b> & <a href=\"javascript:alert(3)\">link</a>"]);
        await bob.ScreenshotAsync("chat-markup-as-text");

        foreach (var page in new[] { alice, bob })
        {
            Assert.True(await page.Page.EvaluateAsync<bool>("() => window.__xss === undefined"));
            await Assertions.Expect(page.Page.Locator("#page-chat img, #page-chat script, #page-chat b, #messages a")).ToHaveCountAsync(0);
            Assert.Empty(page.UnexpectedErrors()); // no dialog opened, no script error, no CSP report
        }
    }

    public void Dispose() => _server.Dispose();
}
