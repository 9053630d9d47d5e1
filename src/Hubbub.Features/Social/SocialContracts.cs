using System.Text.Json;
using System.Text.Json.Serialization;
using Hubbub.Features.Kit.Callers;

namespace Hubbub.Features.Social;

/// <summary>An activity as the author and their friends see it.</summary>
/// <param name="Id">Its id.</param>
/// <param name="User">The author.</param>
/// <param name="Name">The author's display name.</param>
/// <param name="Type">The app's kind of activity (<c>run</c>, <c>workout.completed</c>).</param>
/// <param name="Title">What the feed shows.</param>
/// <param name="Description">More text, or null.</param>
/// <param name="Data">The app's own JSON, or null.</param>
/// <param name="CreatedAt">When it was posted (UTC).</param>
/// <param name="LikeCount">Likes.</param>
/// <param name="CommentCount">Comments.</param>
/// <param name="LikedByMe">Whether the reader liked it.</param>
/// <param name="LatestComments">The newest comments, newest first (a few; the rest via the comments endpoint).</param>
/// <param name="UpdatedAt">When it was last edited, or null.</param>
public sealed record ActivityView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("data")] JsonElement? Data,
    [property: JsonPropertyName("created_at")] DateTime CreatedAt,
    [property: JsonPropertyName("like_count")] long LikeCount,
    [property: JsonPropertyName("comment_count")] long CommentCount,
    [property: JsonPropertyName("liked_by_me")] bool LikedByMe,
    [property: JsonPropertyName("latest_comments")] IReadOnlyList<CommentView> LatestComments,
    [property: JsonPropertyName("updated_at")] DateTime? UpdatedAt);

/// <summary>A comment.</summary>
public sealed record CommentView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("created_at")] DateTime CreatedAt);

/// <summary>A page of activities, newest first; <c>next_cursor</c> is the <c>before</c> of the next page (null at the end).</summary>
public sealed record ActivityPage(
    [property: JsonPropertyName("activities")] IReadOnlyList<ActivityView> Activities,
    [property: JsonPropertyName("next_cursor")] string? NextCursor);

/// <summary>A page of comments, newest first.</summary>
public sealed record CommentPage(
    [property: JsonPropertyName("comments")] IReadOnlyList<CommentView> Comments,
    [property: JsonPropertyName("next_cursor")] string? NextCursor);

/// <summary>Another user in a friend list.</summary>
public sealed record FriendView(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("since")] DateTime Since);

/// <summary>
/// <c>GET /api/friends</c>: a page of friends, requests to me, my requests. <c>next_cursor</c> is the <c>before</c> of
/// the next page of friends (or, on a page of one request list, of that list); the first page also says where each
/// request list goes on. Null: nothing more.
/// </summary>
public sealed record FriendList(
    [property: JsonPropertyName("friends")] IReadOnlyList<FriendView> Friends,
    [property: JsonPropertyName("incoming")] IReadOnlyList<FriendView> Incoming,
    [property: JsonPropertyName("outgoing")] IReadOnlyList<FriendView> Outgoing,
    [property: JsonPropertyName("next_cursor")] string? NextCursor = null,
    [property: JsonPropertyName("incoming_next_cursor")] string? IncomingNextCursor = null,
    [property: JsonPropertyName("outgoing_next_cursor")] string? OutgoingNextCursor = null);

/// <summary>
/// <c>POST /api/friends</c>, <c>POST /api/blocks</c> and their commands: <c>user</c> is the OTHER user (a server names who
/// acts with <c>?user=</c>); the path carries it for the DELETE and decline forms.
/// </summary>
public sealed record FriendRequest([property: JsonPropertyName("user")] string? User);

/// <summary>What became of a friend call: <c>requested</c>, <c>friends</c>, <c>declined</c>, <c>removed</c>, <c>blocked</c>, <c>unblocked</c>.</summary>
public sealed record FriendshipAnswer(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("status")] string Status);

/// <summary><c>friend_request</c>, <c>friend_added</c>, <c>friend_removed</c>: the other user.</summary>
public sealed record FriendEvent(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("name")] string Name);

/// <summary><c>POST /api/activities</c> and <c>social.post</c>; <c>id</c> (optional) makes a retry answer the first activity.</summary>
public sealed record PostActivityRequest(
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("description")] string? Description = null,
    [property: JsonPropertyName("data")] JsonElement? Data = null,
    [property: JsonPropertyName("id")] string? Id = null,
    [property: JsonPropertyName("user")] string? User = null) : IActingRequest;

/// <summary><c>PATCH /api/activities/{id}</c> and <c>social.update</c>: the fields given change (an empty <c>description</c> clears it).</summary>
public sealed record UpdateActivityRequest(
    [property: JsonPropertyName("activity")] string? Activity,
    [property: JsonPropertyName("title")] string? Title = null,
    [property: JsonPropertyName("description")] string? Description = null,
    [property: JsonPropertyName("data")] JsonElement? Data = null,
    [property: JsonPropertyName("user")] string? User = null) : IActingRequest;

/// <summary>One activity: <c>social.delete</c>, <c>social.like</c>, <c>social.unlike</c>, <c>social.get</c>, <c>social.comments</c>.</summary>
public sealed record ActivityRequest(
    [property: JsonPropertyName("activity")] string? Activity,
    [property: JsonPropertyName("before")] string? Before = null,
    [property: JsonPropertyName("limit")] int? Limit = null,
    [property: JsonPropertyName("user")] string? User = null) : IActingRequest;

/// <summary><c>POST /api/activities/{id}/comments</c> and <c>social.comment</c>.</summary>
public sealed record CommentRequest(
    [property: JsonPropertyName("activity")] string? Activity,
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("user")] string? User = null) : IActingRequest;

/// <summary><c>DELETE /api/activities/{id}/comments/{comment}</c> and <c>social.delete_comment</c>.</summary>
public sealed record DeleteCommentRequest(
    [property: JsonPropertyName("activity")] string? Activity,
    [property: JsonPropertyName("comment")] string? Comment,
    [property: JsonPropertyName("user")] string? User = null) : IActingRequest;

/// <summary><c>social.feed</c> (no <c>of</c>) and <c>social.activities</c> (<c>of</c>: whose timeline).</summary>
public sealed record FeedRequest(
    [property: JsonPropertyName("before")] string? Before = null,
    [property: JsonPropertyName("limit")] int? Limit = null,
    [property: JsonPropertyName("of")] string? Of = null,
    [property: JsonPropertyName("user")] string? User = null) : IActingRequest;

/// <summary>A like's result.</summary>
public sealed record LikeState(
    [property: JsonPropertyName("activity")] string Activity,
    [property: JsonPropertyName("like_count")] long LikeCount,
    [property: JsonPropertyName("liked_by_me")] bool LikedByMe);

/// <summary><c>POST /api/activity-rules</c>: domain events of <c>type</c> become activities; <c>{field}</c> placeholders are filled from the event's data.</summary>
public sealed record ActivityRuleRequest(
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("description")] string? Description = null,
    [property: JsonPropertyName("when")] JsonElement? When = null);

/// <summary>A stored activity rule.</summary>
public sealed record ActivityRuleView(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("when")] JsonElement? When,
    [property: JsonPropertyName("created_at")] DateTime CreatedAt);

/// <summary>A page of the activity rules, by type; <c>next_cursor</c> (the last type) asks for the next one, null at the end.</summary>
public sealed record ActivityRuleList([property: JsonPropertyName("rules")] IReadOnlyList<ActivityRuleView> Rules,
    [property: JsonPropertyName("next_cursor")] string? NextCursor = null);

/// <summary><c>friend_activity</c> and <c>activity_updated</c> on <c>feed:{id}</c>.</summary>
public sealed record ActivityEvent([property: JsonPropertyName("activity")] ActivityView Activity);

/// <summary><c>activity_deleted</c> on <c>feed:{id}</c>.</summary>
public sealed record ActivityDeletedEvent([property: JsonPropertyName("id")] string Id);

/// <summary><c>activity_liked</c> on the author's <c>user:{id}</c>; also the data of the grouped <c>activity_liked</c> notification.</summary>
public sealed record ActivityLikedEvent(
    [property: JsonPropertyName("activity")] string Activity,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("like_count")] long LikeCount);

/// <summary><c>activity_commented</c> on the author's <c>user:{id}</c>; also its notification's data.</summary>
public sealed record ActivityCommentedEvent(
    [property: JsonPropertyName("activity")] string Activity,
    [property: JsonPropertyName("comment")] CommentView Comment,
    [property: JsonPropertyName("comment_count")] long CommentCount);

/// <summary><c>comment_deleted</c> on <c>activity:{id}</c>: which comment went, and the count left.</summary>
public sealed record CommentDeletedEvent(
    [property: JsonPropertyName("activity")] string Activity,
    [property: JsonPropertyName("comment")] string Comment,
    [property: JsonPropertyName("comment_count")] long CommentCount);

/// <summary>Source-generated JSON for the social API.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ChallengeJoinedEvent))]
[JsonSerializable(typeof(ActivityView))]
[JsonSerializable(typeof(ActivityPage))]
[JsonSerializable(typeof(CommentPage))]
[JsonSerializable(typeof(FriendList))]
[JsonSerializable(typeof(FriendRequest))]
[JsonSerializable(typeof(FriendshipAnswer))]
[JsonSerializable(typeof(FriendEvent))]
[JsonSerializable(typeof(PostActivityRequest))]
[JsonSerializable(typeof(UpdateActivityRequest))]
[JsonSerializable(typeof(ActivityRequest))]
[JsonSerializable(typeof(CommentRequest))]
[JsonSerializable(typeof(DeleteCommentRequest))]
[JsonSerializable(typeof(FeedRequest))]
[JsonSerializable(typeof(LikeState))]
[JsonSerializable(typeof(ActivityRuleRequest))]
[JsonSerializable(typeof(ActivityRuleView))]
[JsonSerializable(typeof(ActivityRuleList))]
[JsonSerializable(typeof(ActivityEvent))]
[JsonSerializable(typeof(ActivityDeletedEvent))]
[JsonSerializable(typeof(ActivityLikedEvent))]
[JsonSerializable(typeof(ActivityCommentedEvent))]
[JsonSerializable(typeof(CommentDeletedEvent))]
[JsonSerializable(typeof(JsonElement))]
public sealed partial class SocialJsonContext : JsonSerializerContext;
