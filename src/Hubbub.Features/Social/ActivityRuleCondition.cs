using System.Text.Json;
using Hubbub.Core;

namespace Hubbub.Features.Social;

/// <summary>
/// An activity rule's optional <c>when</c>: top-level fields of the event's data and the value each must have
/// (<c>{"rarity":"legendary"}</c>), so one event type can make an activity only for the cases worth a card (a
/// legendary unlock, not every unlock). Every field named must be present with an equal value (strings exactly,
/// numbers by value, booleans); no condition matches every event.
/// </summary>
internal static class ActivityRuleCondition
{
    /// <summary>Most fields one condition names.</summary>
    public const int MaxFields = 10;

    /// <summary>Longest field name and string value.</summary>
    public const int MaxLength = 200;

    /// <summary>The condition as stored (compact JSON), null for none (absent, null or <c>{}</c>); refuses any other shape.</summary>
    public static string? Check(JsonElement? when)
    {
        if (when is not { } w || w.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (w.ValueKind != JsonValueKind.Object)
        {
            throw HubbubException.BadRequest("'when' must be an object of data fields and the values they must have");
        }
        var fields = 0;
        foreach (var field in w.EnumerateObject())
        {
            if (++fields > MaxFields)
            {
                throw HubbubException.TooLarge($"'when' names at most {MaxFields} fields");
            }
            // Past a limit is too_large, as every text and list of every feature; a missing name or a wrong kind is bad_request.
            if (field.Name.Length == 0)
            {
                throw HubbubException.BadRequest($"a field of 'when' is named by 1 to {MaxLength} characters");
            }
            if (field.Name.Length > MaxLength)
            {
                throw HubbubException.TooLarge($"a field of 'when' is named by at most {MaxLength} characters");
            }
            if (field.Value.ValueKind == JsonValueKind.String && field.Value.GetString()!.Length > MaxLength)
            {
                throw HubbubException.TooLarge($"'when.{field.Name}' is longer than {MaxLength} characters");
            }
            if (field.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False))
            {
                throw HubbubException.BadRequest(
                    $"'when.{field.Name}' must be a string of at most {MaxLength} characters, a number or a boolean");
            }
        }
        return fields == 0 ? null : w.GetRawText();
    }

    /// <summary>Whether the event's data (an object) has every field of the stored condition with its value.</summary>
    public static bool Matches(string? whenJson, JsonElement data)
    {
        if (whenJson is null)
        {
            return true;
        }
        using var when = JsonDocument.Parse(whenJson);
        foreach (var field in when.RootElement.EnumerateObject())
        {
            if (!data.TryGetProperty(field.Name, out var value) || !JsonElement.DeepEquals(value, field.Value))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The stored condition for a view, or null.</summary>
    public static JsonElement? View(string? whenJson) =>
        whenJson is null ? null : JsonSerializer.Deserialize(whenJson, SocialJsonContext.Default.JsonElement);
}
