using Hubbub.Console.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Hubbub.Console.Tests;

/// <summary>The console items of issue 21: names and times in rooms, a board that follows a finger, a Clear no toast covers.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DayOneFixesTests(BrowserFixture browser, ITestOutputHelper output) : IDisposable
{
    private readonly ConsoleServer _server = new();

    private static ILocator Rooms(ConsolePage p) => p.Page.Locator("#page-rooms");

    [Fact]
    public async Task Room_members_show_names_messages_show_times_and_a_finger_moves_the_cursor()
    {
        await using var alice = await ConsolePage.OpenAsync(browser, _server.BaseAddress, output);
        await using var bob = await ConsolePage.OpenAsync(browser, _server.BaseAddress, output);
        await alice.SignInAsync("alice");
        await bob.SignInAsync("bob");
        await alice.Page.Locator("nav a[data-page=rooms]").ClickAsync();
        await bob.Page.Locator("nav a[data-page=rooms]").ClickAsync();
        var room = "names-" + Guid.NewGuid().ToString("N")[..8];
        await Rooms(alice).GetByLabel("Room id", new() { Exact = true }).FillAsync(room);
        await Rooms(alice).GetByLabel("Members", new() { Exact = true }).FillAsync("bob, carol");
        await Rooms(alice).Locator("button[type=submit]", new() { HasText = "Create room" }).ClickAsync();
        await Rooms(bob).Locator($".conv[data-room={room}]").ClickAsync();

        // Names as chat shows them, the id in the tooltip; Carol never came, so the directory gives her id back.
        await Assertions.Expect(Rooms(alice).Locator(".member[data-user=alice]")).ToHaveTextAsync("Alice (owner)");
        await Assertions.Expect(Rooms(alice).Locator(".member[data-user=bob]")).ToHaveTextAsync("Bob");
        await Assertions.Expect(Rooms(alice).Locator(".member[data-user=bob]")).ToHaveAttributeAsync("title", "bob");
        await Assertions.Expect(Rooms(bob).Locator(".member[data-user=alice]")).ToHaveTextAsync("Alice (owner)");
        await Assertions.Expect(Rooms(alice).Locator(".member[data-user=carol]")).ToHaveTextAsync("carol");

        // Every message shows when it was sent.
        var input = Rooms(bob).GetByLabel("Room message", new() { Exact = true });
        await input.FillAsync("hello");
        await input.PressAsync("Enter");
        var time = Rooms(alice).Locator(".messages .msg time");
        await Assertions.Expect(time).ToHaveCountAsync(1);
        await Assertions.Expect(time).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"\d{1,2}:\d{2}"));
        var sent = DateTimeOffset.Parse((await time.GetAttributeAsync("datetime"))!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Math.Abs((DateTimeOffset.UtcNow - sent).TotalMinutes) < 5, $"sent at {sent}");

        // A finger dragged over Bob's board (touch events only: no mouse event is made for a drag) shows on Alice's.
        var board = Rooms(bob).Locator(".board");
        var box = (await board.BoundingBoxAsync())!;
        var cdp = await bob.Page.Context.NewCDPSessionAsync(bob.Page);
        async Task Touch(string type, float fx, float fy) => await cdp.SendAsync("Input.dispatchTouchEvent", new Dictionary<string, object>
        {
            ["type"] = type,
            ["touchPoints"] = type == "touchEnd" ? Array.Empty<object>() : new object[] { new Dictionary<string, object> { ["x"] = box.X + (box.Width * fx), ["y"] = box.Y + (box.Height * fy) } },
        });
        await Touch("touchStart", 0.1f, 0.5f);
        for (var i = 2; i <= 7; i++)
        {
            await Touch("touchMove", i / 10f, 0.5f);
        }
        await Touch("touchEnd", 0, 0);
        var cursor = Rooms(alice).Locator(".board .cursor[data-user=bob]");
        await Assertions.Expect(cursor).ToHaveCountAsync(1);
        await Assertions.Expect(cursor).ToHaveAttributeAsync("style", new System.Text.RegularExpressions.Regex(@"left: (69|70|71)(\.\d+)?%"));
        Assert.Empty(alice.UnexpectedErrors());
        Assert.Empty(bob.UnexpectedErrors());
    }

    [Theory]
    [InlineData(400)]
    [InlineData(1400)]
    public async Task No_toast_covers_the_testers_Clear_button(int width)
    {
        await using var alice = await ConsolePage.OpenAsync(browser, _server.BaseAddress, output, width);
        await alice.SignInAsync("alice");
        var page = alice.Page;
        await page.Locator("nav a[data-page=tester]").ClickAsync();
        await page.Locator("#connect").ClickAsync();
        await Assertions.Expect(page.Locator("#frame-log .frame").First).ToBeVisibleAsync();
        // Three long toasts, as a burst of refusals gives.
        await page.EvaluateAsync("""
            async () => {
              const { toast } = await import('/js/components/toasts.js');
              for (const n of [1, 2, 3]) toast(`refused ${n}: ${'a long reason '.repeat(8)}`, 'error');
            }
            """);
        await Assertions.Expect(page.Locator(".toast.error")).ToHaveCountAsync(3);
        var clear = page.Locator("#clear-log");
        await clear.EvaluateAsync("b => b.scrollIntoView({ block: 'center' })");
        var onTop = await clear.EvaluateAsync<bool>("""
            b => { const r = b.getBoundingClientRect(); return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === b; }
            """);
        Assert.True(onTop, "a toast covers the Clear button");
        await clear.ClickAsync(new() { Timeout = 3000 });
        await Assertions.Expect(page.Locator("#frame-log .frame")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator(".toast.error")).ToHaveCountAsync(3); // still up: Clear was reached, not a toast
        Assert.Empty(alice.UnexpectedErrors());
    }

    public void Dispose() => _server.Dispose();
}
