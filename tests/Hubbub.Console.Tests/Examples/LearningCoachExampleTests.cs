using Hubbub.Console.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Hubbub.Console.Tests.Examples.ExampleApp;

namespace Hubbub.Console.Tests.Examples;

/// <summary>
/// examples/learning-coach (seed 002) run for real: the rules file named in configuration, the Node backend defining
/// the course and study group and completing tasks with the API key, two learners' pages in Chromium on the JS SDK.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LearningCoachExampleTests(BrowserFixture browser, ITestOutputHelper output)
{
    private static Task CompleteAsync(ConsolePage page, string task) => page.Page.Locator($"#modules button[data-task={task}]").ClickAsync();

    [Fact]
    public async Task Tasks_give_xp_and_module_progress_unlocks_celebrate_the_board_moves_and_the_study_group_is_live()
    {
        await using var app = await ExampleApp.StartAsync("learning-coach");
        await using var ada = await app.OpenPageAsync(browser, "ada", output);
        await using var bob = await app.OpenPageAsync(browser, "bob", output);
        await Assertions.Expect(ada.Page.Locator("#modules button[data-task=promises]")).ToBeDisabledAsync();
        await Assertions.Expect(ada.Page.Locator("#modules [data-module=async]")).ToHaveAttributeAsync("data-state", "locked");
        await Assertions.Expect(ada.Page.Locator("#achievements [data-achievement=graduate]")).ToHaveAttributeAsync("data-rarity", "legendary");
        await Assertions.Expect(ada.Page.Locator("#members [data-user=bob]")).ToHaveAttributeAsync("data-online", "true");

        // Ada's first task: 10 XP by rule + 5 for "First steps"; her bar and the course move; Bob sees her in the group and on the board.
        await CompleteAsync(ada, "values");
        await Assertions.Expect(Toast(ada, "+15 XP (task.completed)")).ToHaveCountAsync(1);
        await Assertions.Expect(Toast(ada, "🏆 First steps (common)")).ToHaveCountAsync(1);
        await Assertions.Expect(ada.Page.Locator("#percent")).ToHaveTextAsync("20%");
        await Assertions.Expect(ada.Page.Locator("#modules [data-module=intro]")).ToContainTextAsync("1 / 2");
        await Assertions.Expect(bob.Page.Locator("#members [data-user=ada]")).ToHaveTextAsync("Ada 20%");
        await Assertions.Expect(bob.Page.Locator("#rows [data-user=ada] .score")).ToHaveTextAsync("15 XP");

        // The module's last task: module.completed gives 50 + 25 ("Module master", rare); the next module opens; level 2.
        await CompleteAsync(ada, "variables");
        await Assertions.Expect(Toast(ada, "Module completed: Introduction")).ToHaveCountAsync(1);
        await Assertions.Expect(Toast(ada, "🏆 Module master (rare)")).ToHaveCountAsync(1);
        await Assertions.Expect(ada.Page.Locator("#modules button[data-task=declare]")).ToBeEnabledAsync();
        await Assertions.Expect(ada.Page.Locator("#xp-bar")).ToHaveAttributeAsync("data-xp", "100");
        await Assertions.Expect(ada.Page.Locator("#level")).ToHaveTextAsync("Level 2");

        // Bob's three tasks (through the backend) take him to 150: he passes Ada, whose row shows the drop.
        foreach (var task in new[] { "values", "variables", "declare" })
        {
            await app.PostAsync($"/api/tasks/{task}/complete", """{"user":"bob"}""");
        }
        await Assertions.Expect(ada.Page.Locator("#rows li").First).ToHaveAttributeAsync("data-user", "bob");
        await Assertions.Expect(ada.Page.Locator("#rows [data-user=bob] .score")).ToHaveTextAsync("150 XP");
        await Assertions.Expect(ada.Page.Locator("#rows [data-user=ada]")).ToHaveAttributeAsync("data-change", "down");
        await Assertions.Expect(ada.Page.Locator("#rows [data-user=ada] .change")).ToHaveTextAsync("▼1");
        await Assertions.Expect(ada.Page.Locator("#members [data-user=bob]")).ToHaveTextAsync("Bob 60%");

        // Ada's next two: the daily quest, the "XP hunter" epic (70 task XP) in full screen, and she is first again.
        await CompleteAsync(ada, "declare");
        await Assertions.Expect(ada.Page.Locator("#modules button[data-task=closures]")).ToBeEnabledAsync();
        await CompleteAsync(ada, "closures");
        await Assertions.Expect(ada.Page.Locator(".celebration.epic .celebration-title")).ToHaveTextAsync("XP hunter");
        await ada.Page.Locator(".celebration").ClickAsync();
        await Assertions.Expect(bob.Page.Locator("#rows li").First).ToHaveAttributeAsync("data-user", "ada");
        // Each row keeps its last move: hers up (2 → 1, tied at 150 on the way), his down (1 → 2).
        await Assertions.Expect(bob.Page.Locator("#rows [data-user=ada]")).ToHaveAttributeAsync("data-change", "up");
        await Assertions.Expect(bob.Page.Locator("#rows [data-user=bob]")).ToHaveAttributeAsync("data-change", "down");
        await Assertions.Expect(bob.Page.Locator("#rows [data-user=bob]")).ToHaveAttributeAsync("data-rank", "2");

        // The study group: Bob types (Ada sees it), says something, and points at the shared board.
        await bob.Page.Locator("#message").PressSequentiallyAsync("who pairs on promises?");
        await Assertions.Expect(ada.Page.Locator("#typing")).ToHaveTextAsync("Bob is typing…");
        await bob.Page.Locator("#say button").ClickAsync();
        await Assertions.Expect(ada.Page.Locator("#chat li").Last).ToHaveTextAsync("Bob: who pairs on promises?");
        var board = await bob.Page.Locator("#board").BoundingBoxAsync();
        await bob.Page.Mouse.MoveAsync(board!.X + 40, board.Y + 30);
        await bob.Page.Mouse.MoveAsync(board.X + 60, board.Y + 50, new() { Steps = 3 });
        await Assertions.Expect(ada.Page.Locator("#board .cursor[data-user=bob]")).ToHaveTextAsync("▲ Bob");

        // The last task finishes the course: the legendary "Graduate" celebrated in full screen.
        await CompleteAsync(ada, "promises");
        await Assertions.Expect(ada.Page.Locator(".celebration.legendary .celebration-title")).ToHaveTextAsync("Graduate");
        await Assertions.Expect(Toast(ada, "Course completed: JavaScript basics")).ToHaveCountAsync(1);
        await Assertions.Expect(ada.Page.Locator("#percent")).ToHaveTextAsync("100%");
        await Assertions.Expect(bob.Page.Locator("#members [data-user=ada]")).ToHaveTextAsync("Ada 100%");
        await ada.ScreenshotAsync("example-learning-coach-ada");
        await bob.ScreenshotAsync("example-learning-coach-bob");
        Assert.Empty(ada.UnexpectedErrors());
        Assert.Empty(bob.UnexpectedErrors());
    }
}
