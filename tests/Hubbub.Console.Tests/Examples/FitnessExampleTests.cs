using Hubbub.Console.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Hubbub.Console.Tests.Examples.ExampleApp;

namespace Hubbub.Console.Tests.Examples;

/// <summary>
/// examples/fitness (seed 000's social page) run for real: the rules file named in configuration, the Node backend
/// posting workouts with the API key, two users' pages in Chromium on the JS SDK. What Ada and Bob see is asserted.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class FitnessExampleTests(BrowserFixture browser, ITestOutputHelper output)
{
    [Fact]
    public async Task A_workout_posted_by_the_backend_shows_xp_toasts_board_moves_friend_activity_likes_and_the_challenge()
    {
        await using var app = await ExampleApp.StartAsync("fitness");
        await using var ada = await app.OpenPageAsync(browser, "ada", output);
        await using var bob = await app.OpenPageAsync(browser, "bob", output);
        await Assertions.Expect(ada.Page.Locator("#level")).ToHaveTextAsync("Level 1");
        await Assertions.Expect(ada.Page.Locator("#achievements [data-achievement=half-marathon]")).ToHaveAttributeAsync("data-rarity", "epic");
        await Assertions.Expect(ada.Page.Locator("#achievements [data-achievement=centurion]")).ToHaveCountAsync(0); // hidden until held

        // Ada joins the week's challenge from her page (a WebSocket command); Bob sees her join live.
        await ada.Page.Locator("#join").ClickAsync();
        await Assertions.Expect(bob.Page.Locator("#participants [data-user=ada]")).ToHaveTextAsync("Ada: 0 / 10 km");

        // Ada logs a workout: the backend posts workout.completed; 30 min × 2 + first workout 10 + daily quest 20 = 90 XP.
        await ada.Page.Locator("#workout input[name=minutes]").FillAsync("30");
        await ada.Page.Locator("#workout input[name=km]").FillAsync("6");
        await ada.Page.Locator("#workout button").ClickAsync();
        await Assertions.Expect(Toast(ada, "+90 XP")).ToHaveCountAsync(1);
        await Assertions.Expect(Toast(ada, "First workout unlocked (common, +10 XP)")).ToHaveCountAsync(1);
        await Assertions.Expect(ada.Page.Locator("#xp-bar")).ToHaveAttributeAsync("data-xp", "90");
        await Assertions.Expect(ada.Page.Locator("#xp-text")).ToHaveTextAsync("90 / 100 XP");
        await Assertions.Expect(ada.Page.Locator("#achievements [data-achievement=first-workout]")).ToHaveAttributeAsync("data-unlocked", "true");
        await Assertions.Expect(ada.Page.Locator("#quest")).ToHaveTextAsync("Work out today: done ✓");
        await Assertions.Expect(ada.Page.Locator("#streak")).ToHaveTextAsync("🔥 1 day");
        // Bob, her friend: her row on the board, her card in his feed, her challenge progress.
        await Assertions.Expect(bob.Page.Locator("#rows [data-user=ada]")).ToHaveAttributeAsync("data-rank", "1");
        await Assertions.Expect(bob.Page.Locator("#rows [data-user=ada] .score")).ToHaveTextAsync("90");
        await Assertions.Expect(bob.Page.Locator("#activities li .title", new() { HasText = "Ada ran 6 km" })).ToHaveCountAsync(1);
        await Assertions.Expect(bob.Page.Locator("#participants [data-user=ada]")).ToHaveTextAsync("Ada: 6 / 10 km");

        // Bob's longer workout, posted by the backend's API: 120 + 10 + 20 = 150 XP, level 2, and he passes Ada.
        await app.PostAsync("/api/workouts", """{"user":"bob","minutes":75,"km":11}""");
        await Assertions.Expect(Toast(bob, "+150 XP")).ToHaveCountAsync(1);
        await Assertions.Expect(Toast(bob, "Level 2!")).ToHaveCountAsync(1);
        await Assertions.Expect(bob.Page.Locator("#level")).ToHaveTextAsync("Level 2");
        await Assertions.Expect(ada.Page.Locator("#rows li").First).ToHaveAttributeAsync("data-user", "bob");
        await Assertions.Expect(ada.Page.Locator("#rows [data-user=bob]")).ToHaveAttributeAsync("data-moved", "up");
        await Assertions.Expect(ada.Page.Locator("#rows [data-user=ada]")).ToHaveAttributeAsync("data-rank", "2");
        await Assertions.Expect(ada.Page.Locator("#rows [data-user=ada]")).ToHaveAttributeAsync("data-moved", "down");
        await Assertions.Expect(Toast(ada, "Bob passed you on weekly-xp (now #2)")).ToHaveCountAsync(1);

        // Bob likes and comments on Ada's workout (social commands from his page); Ada hears both.
        var card = bob.Page.Locator("#activities li", new() { HasText = "Ada ran 6 km" });
        await card.Locator(".like").ClickAsync();
        await Assertions.Expect(card.Locator(".like")).ToHaveTextAsync("👍 1");
        await Assertions.Expect(Toast(ada, "👍 Bob liked your workout")).ToHaveCountAsync(1);
        await card.Locator("input[name=text]").FillAsync("Nice run!");
        await card.Locator("form button").ClickAsync();
        await Assertions.Expect(Toast(ada, "💬 Bob: Nice run!")).ToHaveCountAsync(1);

        // Ada's 15 km: the epic unlock (21 km in all) and the challenge completed, seen by Bob.
        await app.PostAsync("/api/workouts", """{"user":"ada","minutes":80,"km":15}""");
        await Assertions.Expect(ada.Page.Locator(".toast[data-rarity=epic]")).ToHaveTextAsync("🏆 Half marathon unlocked (epic, +150 XP)");
        await Assertions.Expect(bob.Page.Locator("#participants [data-user=ada]")).ToHaveTextAsync("Ada: 21 / 10 km ✓");
        await Assertions.Expect(Toast(bob, "Ada completed 10 km this week!")).ToHaveCountAsync(1);
        await ada.ScreenshotAsync("example-fitness-ada");
        await bob.ScreenshotAsync("example-fitness-bob");
        Assert.Empty(ada.UnexpectedErrors());
        Assert.Empty(bob.UnexpectedErrors());
    }
}
