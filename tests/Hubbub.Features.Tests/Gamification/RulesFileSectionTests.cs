namespace Hubbub.Features.Tests.Gamification;

/// <summary>
/// A rules file whose section has a name the server does not know stops the start naming it. Found building
/// examples/fitness: a misspelt <c>achievments</c> (or <c>challenge</c> for <c>challenges</c>) was
/// skipped without a word while the log said the file was stored, so the deployment ran without those rules.
/// </summary>
public sealed class RulesFileSectionTests
{
    [Theory]
    [InlineData("achievments")]
    [InlineData("challenge")]
    public async Task A_section_the_rules_file_does_not_take_stops_the_start_naming_it(string section)
    {
        var failure = await Game.FailedStartAsync($$"""{"rules": [{"type": "lesson.finished", "xp": 25}], "{{section}}": [{"key": "a"}]}""");
        Assert.Contains("could not be read", failure, StringComparison.Ordinal);
        Assert.Contains($"'{section}'", failure, StringComparison.Ordinal);
    }
}
