using System.Text.Json;
using System.Text.Json.Serialization;
using Hubbub.Features.Kit;
using static Hubbub.Features.Social.SocialJsonContext;

namespace Hubbub.Features.Social;

/// <summary>
/// Challenges in the feed. Gamification raises the domain event <c>challenge.joined</c> (<c>{user, challenge, title,
/// type, goal, starts_at, ends_at}</c>) when a user joins one; the social feed knows it by that name only (FEATURES.md),
/// never by gamification's types. Without a stored activity rule for it, a built-in one makes the card "Ada joined the
/// challenge “10 km week”" (a stored rule for <c>challenge.joined</c> replaces it; <see cref="SocialOptions.ChallengeActivities"/>
/// false turns it off). Its <c>data</c> is the event's, so a friend's client joins with <c>POST /api/challenges/{data.challenge}/join</c>.
/// Besides the <c>friend_activity</c> of the card, the author's and each friend's <c>feed:{id}</c> hears
/// <c>challenge_joined</c>, for a challenge card that shows which friends are in.
/// </summary>
internal static class ChallengeFeed
{
    /// <summary>The domain event of a join, as gamification raises it.</summary>
    public const string JoinedEvent = "challenge.joined";

    /// <summary>The built-in rule for <see cref="JoinedEvent"/>, when none is stored and the option allows it.</summary>
    public static RuleRow? DefaultRule(string type, SocialOptions options) =>
        type == JoinedEvent && options.ChallengeActivities
            ? new RuleRow { Type = JoinedEvent, Title = "{name} joined the challenge “{title}”" }
            : null;

    /// <summary>After the card of a join was made: <c>challenge_joined</c> on the feed of the author and each friend.</summary>
    public static async Task AnnounceAsync(FeatureTransaction tx, string type, JsonElement data, string user, string name, ActivityView activity,
        CancellationToken ct)
    {
        if (type != JoinedEvent || !data.TryGetProperty("challenge", out var c) || c.ValueKind != JsonValueKind.String)
        {
            return;
        }
        var title = data.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        var joined = new ChallengeJoinedEvent(user, name, c.GetString()!, title, activity.Id);
        foreach (var reader in (await FriendStore.FriendIdsAsync(tx, user, ct)).Prepend(user))
        {
            await tx.PublishAsync(ActivityService.FeedChannel(reader), SocialEvents.ChallengeJoined, joined, Default.ChallengeJoinedEvent, ct);
        }
    }
}

/// <summary><c>challenge_joined</c> on <c>feed:{id}</c>: a friend (or I) joined a challenge; <c>activity</c> is the card's id.</summary>
public sealed record ChallengeJoinedEvent(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("challenge")] string Challenge,
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("activity")] string Activity);
