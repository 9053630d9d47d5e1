using Hubbub.Console.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Hubbub.Console.Tests.FeaturePages;

/// <summary>The learning page (issue 18) in a real Chromium: the course view, live progress and XP, celebrations, the study group.</summary>
[Collection(BrowserCollection.Name)]
public sealed class LearningPageTests(BrowserFixture browser, ITestOutputHelper output) : IDisposable
{
    private readonly ConsoleServer _server = ServerCalls.Start();

    private static ILocator TaskRow(ConsolePage p, string key) => p.Page.Locator($"#modules [data-task={key}]");

    /// <summary>Algebra I: Basics (sequential, a quiz with a pass mark) before Equations; Alice and Bob share its study room.</summary>
    private async Task DefineAsync(string title = "Algebra I", string basics = "Basics")
    {
        await _server.PostAsKeyAsync("/api/rules", """{"type":"task.completed","field":"xp","factor":1}""");
        await _server.PostAsKeyAsync("/api/courses", $$"""
            {"id":"algebra-1","title":"{{title}}","modules":[
              {"key":"basics","title":"{{basics}}","sequential":true,"tasks":[{"key":"b1","title":"Numbers","xp":10},{"key":"b2","title":"Quiz","xp":20,"pass_mark":70}]},
              {"key":"equations","title":"Equations","prerequisites":["basics"],"tasks":[{"key":"e1","title":"Linear equations","xp":30}]}]}
            """);
        await _server.PostAsKeyAsync("/api/rooms", """{"user":"alice","id":"algebra-study","title":"Algebra study group","members":["bob"]}""");
        await _server.PostAsKeyAsync("/api/courses/algebra-1/rooms", """{"room":"algebra-study"}""");
    }

    private async Task<ConsolePage> OpenAsync(string user, int width = 1200)
    {
        var page = await ConsolePage.OpenAsync(browser, _server.BaseAddress, output, width: width, fragment: "#/learning");
        await page.SignInAsync(user);
        await Assertions.Expect(page.Page.Locator("#course")).ToBeVisibleAsync();
        return page;
    }

    [Fact]
    public async Task Completing_tasks_moves_my_bars_with_xp_toasts_and_celebrations_and_the_study_group_in_another_browser_sees_it()
    {
        await DefineAsync();
        await using var alice = await OpenAsync("alice");
        await using var bob = await OpenAsync("bob");
        await Assertions.Expect(alice.Page.Locator("#learning h1")).ToHaveTextAsync("Algebra I");
        await Assertions.Expect(alice.Page.Locator("[data-module=basics]")).ToHaveAttributeAsync("data-state", "open");
        await Assertions.Expect(alice.Page.Locator("[data-module=equations]")).ToHaveAttributeAsync("data-state", "locked");
        await Assertions.Expect(TaskRow(alice, "b2").Locator("button.complete")).ToBeDisabledAsync(); // sequential: b1 first
        await Assertions.Expect(TaskRow(alice, "e1").Locator("button.complete")).ToBeDisabledAsync(); // module locked
        await Assertions.Expect(bob.Page.Locator("#study-group h2")).ToHaveTextAsync("Study group: Algebra study group");
        await Assertions.Expect(bob.Page.Locator("#group-members [data-user=alice] .dot.online")).ToHaveCountAsync(1);

        // Alice completes the first task: her bars move, an XP toast; Bob's study group shows her progress live.
        await TaskRow(alice, "b1").Locator("button.complete").ClickAsync();
        await Assertions.Expect(alice.Page.Locator("[data-progress=course]")).ToHaveAttributeAsync("data-value", "33");
        await Assertions.Expect(alice.Page.Locator("[data-progress=module-basics]")).ToHaveAttributeAsync("data-value", "50");
        await Assertions.Expect(alice.Page.Locator(".toast.success", new() { HasText = "+10 XP (task.completed)" })).ToHaveCountAsync(1);
        await Assertions.Expect(bob.Page.Locator("[data-progress=member-alice]")).ToHaveAttributeAsync("data-value", "33");
        await Assertions.Expect(bob.Page.Locator("#group-members [data-user=alice]")).ToContainTextAsync("completed Numbers");

        // The quiz needs its pass mark: a low score is refused with the server's reason, a good one completes the module.
        await TaskRow(alice, "b2").GetByLabel("Score for Quiz").FillAsync("50");
        await TaskRow(alice, "b2").Locator("button.complete").ClickAsync();
        await Assertions.Expect(alice.Page.Locator(".toast.error")).ToHaveCountAsync(1);
        await Assertions.Expect(alice.Page.Locator("[data-progress=course]")).ToHaveAttributeAsync("data-value", "33");
        await TaskRow(alice, "b2").GetByLabel("Score for Quiz").FillAsync("85");
        await TaskRow(alice, "b2").Locator("button.complete").ClickAsync();
        await Assertions.Expect(alice.Page.Locator(".celebration .celebration-title")).ToHaveTextAsync("Basics completed!");
        await alice.ScreenshotAsync("learning-module-completed");
        await alice.Page.Locator(".celebration").ClickAsync();
        await Assertions.Expect(alice.Page.Locator("[data-module=basics]")).ToHaveAttributeAsync("data-state", "completed");
        await Assertions.Expect(alice.Page.Locator("[data-module=equations]")).ToHaveAttributeAsync("data-state", "open");
        await Assertions.Expect(bob.Page.Locator("[data-progress=member-alice]")).ToHaveAttributeAsync("data-value", "66");

        // The app's backend completes the last task for her: her page follows, the course is celebrated, Bob sees 100%.
        await _server.PostAsKeyAsync("/api/courses/algebra-1/tasks/e1/complete", """{"user":"alice"}""");
        await Assertions.Expect(alice.Page.Locator(".celebration .celebration-title")).ToHaveTextAsync("Algebra I finished!");
        await Assertions.Expect(alice.Page.Locator("[data-progress=course]")).ToHaveAttributeAsync("data-value", "100");
        await Assertions.Expect(alice.Page.Locator(".toast.success", new() { HasText = "+30 XP (task.completed)" })).ToHaveCountAsync(1);
        await Assertions.Expect(bob.Page.Locator("[data-progress=member-alice]")).ToHaveAttributeAsync("data-value", "100");

        // Bob writes to the group; after a reload Bob's view is rebuilt from the room's history.
        await bob.Page.GetByLabel("Message to the study group").FillAsync("Well done <b>Alice</b>");
        await bob.Page.GetByLabel("Message to the study group").PressAsync("Enter");
        await Assertions.Expect(alice.Page.Locator("#group-messages")).ToContainTextAsync("Well done <b>Alice</b>");
        await bob.Page.ReloadAsync();
        await Assertions.Expect(bob.Page.Locator("[data-progress=member-alice]")).ToHaveAttributeAsync("data-value", "100");
        await Assertions.Expect(bob.Page.Locator("#group-messages")).ToContainTextAsync("Well done <b>Alice</b>");
        await bob.ScreenshotAsync("learning-study-group");
        Assert.DoesNotContain(alice.UnexpectedErrors(), e => !e.Contains("409", StringComparison.Ordinal));
        Assert.Empty(bob.UnexpectedErrors());
    }

    [Theory]
    [InlineData(400)]
    [InlineData(1400)]
    public async Task The_page_never_scrolls_sideways(int width)
    {
        await DefineAsync(new string('C', 200), new string('M', 200));
        await _server.PostAsKeyAsync("/api/courses/algebra-1/tasks/b1/complete", """{"user":"bob"}""");
        await using var alice = await OpenAsync("alice", width: width);
        await Assertions.Expect(alice.Page.Locator("[data-progress=member-bob]")).ToHaveAttributeAsync("data-value", "33");
        Assert.False(await alice.ScrollsSidewaysAsync("#learning"));
        await alice.ScreenshotAsync($"learning-{width}");
        Assert.Empty(alice.UnexpectedErrors());
    }

    public void Dispose() => _server.Dispose();
}
