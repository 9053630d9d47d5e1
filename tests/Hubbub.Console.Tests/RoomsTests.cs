using Hubbub.Console.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Hubbub.Console.Tests;

/// <summary>A study group in the console's Rooms page: two people in two browser contexts, in a real Chromium.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RoomsTests(BrowserFixture browser, ITestOutputHelper output) : IDisposable
{
    private readonly ConsoleServer _server = new();

    private static ILocator Rooms(ConsolePage p) => p.Page.Locator("#page-rooms");

    [Fact]
    public async Task Two_members_share_a_room_with_presence_messages_typing_and_cursors_and_one_leaves()
    {
        await using var alice = await ConsolePage.OpenAsync(browser, _server.BaseAddress, output);
        await using var bob = await ConsolePage.OpenAsync(browser, _server.BaseAddress, output);
        await alice.SignInAsync("alice");
        await bob.SignInAsync("bob");
        await alice.Page.Locator("nav a[data-page=rooms]").ClickAsync();
        await bob.Page.Locator("nav a[data-page=rooms]").ClickAsync();
        await Assertions.Expect(Rooms(bob).Locator(".conversations .empty")).ToBeVisibleAsync();

        // Alice creates the room with Bob in it; Bob's list shows it live (room_added on user:bob).
        await Rooms(alice).GetByLabel("Room id", new() { Exact = true }).FillAsync("algebra");
        await Rooms(alice).GetByLabel("Room title", new() { Exact = true }).FillAsync("Algebra <b>group</b>");
        await Rooms(alice).GetByLabel("Members", new() { Exact = true }).FillAsync("bob");
        await Rooms(alice).Locator("button[type=submit]", new() { HasText = "Create room" }).ClickAsync();
        await Assertions.Expect(Rooms(alice).Locator(".thread-head h2")).ToHaveTextAsync("Algebra <b>group</b>"); // text, not markup
        await Assertions.Expect(Rooms(bob).Locator(".conv[data-room=algebra]")).ToHaveCountAsync(1);
        await Rooms(bob).Locator(".conv[data-room=algebra]").ClickAsync();
        await Assertions.Expect(Rooms(bob).Locator(".thread-head h2")).ToHaveTextAsync("Algebra <b>group</b>");

        // Presence: each sees the other in the room now.
        await Assertions.Expect(Rooms(alice).Locator(".member[data-user=bob] .dot.online")).ToHaveCountAsync(1);
        await Assertions.Expect(Rooms(bob).Locator(".member[data-user=alice] .dot.online")).ToHaveCountAsync(1);

        // Typing, then a message that clears it.
        var bobInput = Rooms(bob).GetByLabel("Room message", new() { Exact = true });
        await bobInput.PressSequentiallyAsync("x =");
        await Assertions.Expect(Rooms(alice).Locator(".typing")).ToHaveTextAsync("Bob is typing…");
        await bobInput.PressSequentiallyAsync(" 2");
        await bobInput.PressAsync("Enter");
        await Assertions.Expect(Rooms(alice).Locator(".messages .bubble")).ToHaveTextAsync(["x = 2"]);
        await Assertions.Expect(Rooms(bob).Locator(".messages .msg.mine .bubble")).ToHaveTextAsync(["x = 2"]);
        await Assertions.Expect(Rooms(alice).Locator(".typing")).ToHaveTextAsync("");

        // Alice's cursor on the shared board shows on Bob's, where she put it.
        var board = Rooms(alice).Locator(".board");
        var box = (await board.BoundingBoxAsync())!;
        await alice.Page.Mouse.MoveAsync(box.X + box.Width * 0.25f, box.Y + box.Height * 0.5f, new() { Steps = 5 });
        var cursor = Rooms(bob).Locator(".board .cursor[data-user=alice]");
        await Assertions.Expect(cursor).ToHaveCountAsync(1);
        await Assertions.Expect(cursor).ToHaveAttributeAsync("style", new System.Text.RegularExpressions.Regex(@"left: 2[45](\.\d+)?%"));
        await alice.ScreenshotAsync("rooms-alice");
        await bob.ScreenshotAsync("rooms-bob");

        // Bob leaves: his page forgets the room, and Alice sees him go from the member list.
        await Rooms(bob).Locator("button", new() { HasText = "Leave room" }).ClickAsync();
        await Assertions.Expect(Rooms(bob).Locator(".conv[data-room=algebra]")).ToHaveCountAsync(0);
        await Assertions.Expect(Rooms(alice).Locator(".member[data-user=bob]")).ToHaveCountAsync(0);

        // And after a reload Alice finds her room and its message again.
        await alice.Page.ReloadAsync();
        await alice.Page.Locator("nav a[data-page=rooms]").ClickAsync();
        await Assertions.Expect(Rooms(alice).Locator(".messages .bubble")).ToHaveTextAsync(["x = 2"]);
        Assert.Empty(alice.UnexpectedErrors());
        Assert.Empty(bob.UnexpectedErrors());
    }

    public void Dispose() => _server.Dispose();
}
