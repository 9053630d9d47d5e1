using System.Globalization;
using System.Text;
using System.Text.Json;
using Hubbub.Core;
using Hubbub.Features.Kit;
using Hubbub.Features.Kit.Declaring;
using Hubbub.Features.Kit.DomainEvents;
using Hubbub.Features.Kit.Text;
using Hubbub.Features.Kit.Users;
using Microsoft.Extensions.Options;

namespace Hubbub.Features.Social;

/// <summary>
/// Activities made by domain events: a rule per event type with title and description templates whose <c>{field}</c>
/// placeholders are filled from the event's data (<c>{name}</c> is the user's display name unless the data has one).
/// The activity's id comes from the event's id, so a retried handling makes one activity.
/// </summary>
public sealed partial class ActivityRuleService(FeatureDatabase database, UserDirectory users, IOptions<SocialOptions> options,
    ILogger<ActivityRuleService> logger)
{
    /// <summary>Stores (or replaces) the rule of an event type.</summary>
    public Task<ActivityRuleView> DefineAsync(ActivityRuleRequest request, CancellationToken cancellationToken = default)
    {
        var type = ActivityService.CheckType(request.Type);
        var title = StoredText.Title(request.Title, options.Value.MaxTitleLength) ?? throw HubbubException.BadRequest("'title' is required");
        var description = StoredText.Body(request.Description, options.Value.MaxDescriptionLength, "description");
        var when = ActivityRuleCondition.Check(request.When);
        return database.WriteAsync(async tx =>
        {
            // The list is bounded: a new type past the bound is refused; replacing a stored type's rule always works.
            if (await ActivityStore.RuleAsync(tx, type, cancellationToken) is null
                && await ActivityStore.RuleCountAsync(tx, cancellationToken) >= options.Value.MaxActivityRules)
            {
                throw HubbubException.TooLarge($"at most {options.Value.MaxActivityRules} activity rules may be defined");
            }
            await ActivityStore.UpsertRuleAsync(tx, type, title, description, when, tx.NowMs, cancellationToken);
            return View((await ActivityStore.RuleAsync(tx, type, cancellationToken))!);
        }, cancellationToken);
    }

    /// <summary>
    /// A page of the rules by type (code-point order): those after <paramref name="after"/>, at most
    /// <paramref name="limit"/> (every rule without one; the list is bounded by <c>Social:MaxActivityRules</c>).
    /// </summary>
    public async Task<ActivityRuleList> ListAsync(string? after = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        var all = await database.ReadAsync(tx => ActivityStore.RulesAsync(tx, cancellationToken), cancellationToken);
        var (page, next) = KeyedPage.Of(all, rule => rule.Type, after, limit);
        return new ActivityRuleList(page.ConvertAll(View), next);
    }

    private static ActivityRuleView View(RuleRow row) =>
        new(row.Type, row.Title, row.Description, ActivityRuleCondition.View(row.WhenJson), ActivityService.Time(row.CreatedMs));

    /// <summary>
    /// Whether events of <paramref name="type"/> can make an activity (a rule names the type): asked by a raiser that runs
    /// the handler at once, so an event with no rule costs one indexed read and no savepoint. Read again by the handler
    /// when true (a type with a rule pays one small read more).
    /// </summary>
    internal async Task<bool> TakesAsync(FeatureTransaction tx, string type, CancellationToken ct) =>
        ChallengeFeed.DefaultRule(type, options.Value) is not null || await ActivityStore.HasRuleAsync(tx, type, ct);

    /// <summary>
    /// The handler of every domain event: one activity when a rule names the event's type, its <c>when</c> (if any) matches
    /// the event's data and the event names its <c>user</c>.
    /// </summary>
    internal async Task HandleAsync(FeatureTransaction tx, DomainEvent domainEvent, CancellationToken ct)
    {
        if ((await ActivityStore.RuleAsync(tx, domainEvent.Type, ct) ?? ChallengeFeed.DefaultRule(domainEvent.Type, options.Value)) is not { } rule)
        {
            return;
        }
        using var json = JsonDocument.Parse(domainEvent.Data);
        var data = json.RootElement;
        if (data.ValueKind == JsonValueKind.Object && !ActivityRuleCondition.Matches(rule.WhenJson, data))
        {
            return;
        }
        if (data.ValueKind != JsonValueKind.Object || !data.TryGetProperty("user", out var u) || u.GetString() is not { } user || !UserIds.IsValid(user))
        {
            LogUnattributed(logger, domainEvent.Type, domainEvent.Id);
            return;
        }
        var name = await users.NameOfAsync(user, ct);
        var limits = options.Value;
        var title = Clip(Fill(rule.Title, data, name), limits.MaxTitleLength);
        var description = rule.Description is null ? null : Clip(Fill(rule.Description, data, name), limits.MaxDescriptionLength);
        var raw = data.GetRawText();
        var id = "event-" + domainEvent.Id.ToString(CultureInfo.InvariantCulture);
        if (await ActivityStore.TryInsertAsync(tx, id, user, domainEvent.Type, title, description, raw.Length <= limits.MaxDataLength ? raw : null,
                tx.NowMs, ct))
        {
            var activity = await ActivityService.AnnounceNewAsync(tx, id, user, ct);
            // For a raiser that runs this with its raise: POST /api/events answers with it as effects.activity.
            tx.ReportOutcome(DomainEventOutcomes.Activity, activity, SocialJsonContext.Default.ActivityView);
            await ChallengeFeed.AnnounceAsync(tx, domainEvent.Type, data, user, name, activity, ct);
        }
    }

    /// <summary>Fills <c>{field}</c> from the data's top-level fields; an unknown placeholder stays as written.</summary>
    internal static string Fill(string template, JsonElement data, string name)
    {
        var result = new StringBuilder(template.Length);
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf('{', i);
            var close = open < 0 ? -1 : template.IndexOf('}', open + 1);
            if (close < 0)
            {
                result.Append(template, i, template.Length - i);
                break;
            }
            result.Append(template, i, open - i);
            var field = template[(open + 1)..close];
            if (data.TryGetProperty(field, out var value) && value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.Null))
            {
                result.Append(TextOf(value));
            }
            else if (field == "name")
            {
                result.Append(name);
            }
            else
            {
                result.Append(template, open, close - open + 1);
            }
            i = close + 1;
        }
        return result.ToString();
    }

    /// <summary>A field's value as text a database stores (see <see cref="StoredText.Storable"/>): a string unescaped, else its JSON.</summary>
    private static string TextOf(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? StoredText.Storable(value.GetString()!) : value.GetRawText();

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..max];

    [LoggerMessage(Level = LogLevel.Warning, Message = "Domain event {Type} #{Id} has an activity rule but no valid 'user' field; no activity made")]
    private static partial void LogUnattributed(ILogger logger, string type, long id);
}
