using System.Text.Json.Serialization;
using Hubbub.Features.Kit.Callers;

namespace Hubbub.Features.Gamification;

/// <summary>
/// <c>POST /api/challenges</c> (server/admin): a goal over a window. Progress counts events of <c>type</c> (no
/// <c>field</c>) or sums the numeric <c>data[field]</c> of them, for joined users, from <c>starts_at</c> (inclusive) to
/// <c>ends_at</c> (exclusive), both ISO-8601.
/// </summary>
public sealed record ChallengeRequest(
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("field")] string? Field,
    [property: JsonPropertyName("goal")] double? Goal,
    [property: JsonPropertyName("starts_at")] string? StartsAt,
    [property: JsonPropertyName("ends_at")] string? EndsAt,
    [property: JsonPropertyName("key")] string? Key = null);

/// <summary>
/// A challenge as stored, with its <c>state</c> now (<c>upcoming</c>, <c>active</c>, <c>ended</c>), its participant count
/// and, when a user reads it, that user's own progress in <c>me</c> (null when they have not joined, or for the server).
/// </summary>
public sealed record ChallengeView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("field")] string? Field,
    [property: JsonPropertyName("goal")] double Goal,
    [property: JsonPropertyName("starts_at")] DateTime StartsAt,
    [property: JsonPropertyName("ends_at")] DateTime EndsAt,
    [property: JsonPropertyName("created_at")] DateTime CreatedAt,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("participant_count")] long ParticipantCount,
    [property: JsonPropertyName("me")] ChallengeProgressView? Me,
    [property: JsonPropertyName("key")] string? Key = null);

/// <summary>One participant's standing in a challenge.</summary>
public sealed record ChallengeProgressView(
    [property: JsonPropertyName("progress")] double Progress,
    [property: JsonPropertyName("completed")] bool Completed,
    [property: JsonPropertyName("joined_at")] DateTime JoinedAt,
    [property: JsonPropertyName("completed_at")] DateTime? CompletedAt);

/// <summary><c>GET /api/challenges</c>: newest first; <c>next_cursor</c> is the <c>before</c> of the next page (null: no more).</summary>
public sealed record ChallengeList(
    [property: JsonPropertyName("challenges")] IReadOnlyList<ChallengeView> Challenges,
    [property: JsonPropertyName("next_cursor")] string? NextCursor);

/// <summary>
/// A participant row: progress highest first, who reached it first listed first; equal progress shares a rank.
/// </summary>
public sealed record ChallengeParticipant(
    [property: JsonPropertyName("rank")] long Rank,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("progress")] double Progress,
    [property: JsonPropertyName("completed")] bool Completed,
    [property: JsonPropertyName("joined_at")] DateTime JoinedAt);

/// <summary>
/// <c>GET /api/challenges/{id}/participants</c>; <c>next_cursor</c> asks for the next page like every list's (null: no
/// more); <c>next_offset</c> is the same position as a number, for clients that page by <c>?offset=</c>.
/// </summary>
public sealed record ChallengeParticipantList(
    [property: JsonPropertyName("challenge")] string Challenge,
    [property: JsonPropertyName("goal")] double Goal,
    [property: JsonPropertyName("participants")] IReadOnlyList<ChallengeParticipant> Participants,
    [property: JsonPropertyName("next_offset")] int? NextOffset,
    [property: JsonPropertyName("next_cursor")] string? NextCursor);

/// <summary>The join state of <c>challenge:{id}</c>: the challenge (with the subscriber's own progress) and its top participants.</summary>
public sealed record ChallengeState(
    [property: JsonPropertyName("challenge")] ChallengeView Challenge,
    [property: JsonPropertyName("participants")] IReadOnlyList<ChallengeParticipant> Participants);

/// <summary>
/// <c>POST /api/challenges/{id}/join</c> (body optional) and the <c>challenges.join</c> / <c>challenges.get</c> commands:
/// the challenge (from the path over REST) and, for the server or an admin, the <c>user</c> acted for.
/// </summary>
public sealed record ChallengeJoinRequest(
    [property: JsonPropertyName("challenge")] string? Challenge = null,
    [property: JsonPropertyName("user")] string? User = null) : IActingRequest;

/// <summary>A challenge an event advanced, in the event's effects; <c>completed</c> is true when this event reached the goal.</summary>
public sealed record ChallengeEffect(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("progress")] double Progress,
    [property: JsonPropertyName("goal")] double Goal,
    [property: JsonPropertyName("completed")] bool Completed);

/// <summary><c>challenge_joined</c>, <c>challenge_left</c> and <c>challenge_completed</c> on <c>challenge:{id}</c>.</summary>
public sealed record ChallengeMember(
    [property: JsonPropertyName("challenge")] string Challenge,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("name")] string Name);

/// <summary><c>challenge_update</c> on <c>challenge:{id}</c>: a participant's progress after an event.</summary>
public sealed record ChallengeUpdate(
    [property: JsonPropertyName("challenge")] string Challenge,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("progress")] double Progress,
    [property: JsonPropertyName("goal")] double Goal);

/// <summary>
/// <c>challenge_ended</c> on <c>challenge:{id}</c> when <c>ends_at</c> passes: the final top standings (the first
/// <see cref="ChallengeService.LiveRows"/>), how many took part and how many reached the goal.
/// </summary>
public sealed record ChallengeEndedEvent(
    [property: JsonPropertyName("challenge")] string Challenge,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("goal")] double Goal,
    [property: JsonPropertyName("ended_at")] DateTime EndedAt,
    [property: JsonPropertyName("participant_count")] long ParticipantCount,
    [property: JsonPropertyName("completed_count")] long CompletedCount,
    [property: JsonPropertyName("standings")] IReadOnlyList<ChallengeParticipant> Standings);

/// <summary>The <c>challenge_ended</c> notification of one participant: their own final rank and progress.</summary>
public sealed record ChallengeEndedNotice(
    [property: JsonPropertyName("challenge")] string Challenge,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("rank")] long Rank,
    [property: JsonPropertyName("progress")] double Progress,
    [property: JsonPropertyName("goal")] double Goal,
    [property: JsonPropertyName("completed")] bool Completed);

/// <summary>The <c>challenge_completed</c> notification of the user who reached the goal.</summary>
public sealed record ChallengeCompletedNotice(
    [property: JsonPropertyName("challenge")] string Challenge,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("progress")] double Progress,
    [property: JsonPropertyName("goal")] double Goal);

/// <summary>
/// The domain events gamification raises about challenges (<c>challenge.joined</c>, <c>challenge.completed</c>): the
/// acting <c>user</c> and the challenge, so rules (XP, social activities) can use them like any app event.
/// </summary>
public sealed record ChallengeDomainEvent(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("challenge")] string Challenge,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("goal")] double Goal,
    [property: JsonPropertyName("starts_at")] DateTime StartsAt,
    [property: JsonPropertyName("ends_at")] DateTime EndsAt);

/// <summary>
/// The domain events of a challenge's end, one per participant (<c>challenge.ended</c>; <c>challenge.won</c> also for
/// each participant ranked first): the participant, the challenge and where they finished, so rules can reward taking
/// part, finishing or winning (an XP rule, an achievement counting wins, a social activity).
/// </summary>
public sealed record ChallengeResultDomainEvent(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("challenge")] string Challenge,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("goal")] double Goal,
    [property: JsonPropertyName("starts_at")] DateTime StartsAt,
    [property: JsonPropertyName("ends_at")] DateTime EndsAt,
    [property: JsonPropertyName("rank")] long Rank,
    [property: JsonPropertyName("progress")] double Progress,
    [property: JsonPropertyName("completed")] bool Completed);

/// <summary>Source-generated JSON for challenges.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ChallengeRequest))]
[JsonSerializable(typeof(ChallengeView))]
[JsonSerializable(typeof(ChallengeList))]
[JsonSerializable(typeof(ChallengeParticipantList))]
[JsonSerializable(typeof(ChallengeState))]
[JsonSerializable(typeof(ChallengeJoinRequest))]
[JsonSerializable(typeof(ChallengeMember))]
[JsonSerializable(typeof(ChallengeUpdate))]
[JsonSerializable(typeof(ChallengeCompletedNotice))]
[JsonSerializable(typeof(ChallengeEndedEvent))]
[JsonSerializable(typeof(ChallengeEndedNotice))]
[JsonSerializable(typeof(ChallengeDomainEvent))]
[JsonSerializable(typeof(ChallengeResultDomainEvent))]
public sealed partial class ChallengeJsonContext : JsonSerializerContext;
