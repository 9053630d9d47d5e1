namespace Hubbub.Features.Social;

/// <summary>The social feed's event names; events are written with the change (the kit's outbox).</summary>
public static class SocialEvents
{
    /// <summary>The namespace of a user's live feed, <c>feed:{id}</c> (only its owner subscribes).</summary>
    public const string Namespace = "feed";

    /// <summary>
    /// The namespace of one activity's viewers, <c>activity:{id}</c> (its author and their friends subscribe):
    /// <c>activity_liked</c>, <c>activity_unliked</c>, <c>activity_commented</c>, <c>comment_deleted</c>,
    /// <c>activity_updated</c>, <c>activity_deleted</c>.
    /// </summary>
    public const string ActivityNamespace = "activity";

    /// <summary>On <c>user:{id}</c>: someone asked to be friends (data <c>{user, name}</c>); also a notification.</summary>
    public const string FriendRequest = "friend_request";
    /// <summary>On <c>user:{id}</c> of both: a friendship began (data: the other one, <c>{user, name}</c>); a notification to the asker.</summary>
    public const string FriendAdded = "friend_added";
    /// <summary>On <c>user:{id}</c> of both: a friendship ended (data: the other one, <c>{user, name}</c>).</summary>
    public const string FriendRemoved = "friend_removed";
    /// <summary>On <c>feed:{id}</c> of the author and each friend: a new activity (data <c>{activity}</c>).</summary>
    public const string FriendActivity = "friend_activity";
    /// <summary>On <c>feed:{id}</c> of the author and each friend, and on <c>activity:{id}</c>: an activity was edited (data <c>{activity}</c>).</summary>
    public const string ActivityUpdated = "activity_updated";
    /// <summary>On <c>feed:{id}</c> of the author and each friend, and on <c>activity:{id}</c>: an activity was deleted (data <c>{id}</c>).</summary>
    public const string ActivityDeleted = "activity_deleted";
    /// <summary>On the author's <c>user:{id}</c> and on <c>activity:{id}</c>: a like (data <c>{activity, user, name, like_count}</c>); a grouped notification.</summary>
    public const string ActivityLiked = "activity_liked";
    /// <summary>On the author's <c>user:{id}</c> and on <c>activity:{id}</c>: a like taken back (data <c>{activity, user, name, like_count}</c>); no notification.</summary>
    public const string ActivityUnliked = "activity_unliked";
    /// <summary>On the author's <c>user:{id}</c> and on <c>activity:{id}</c>: a comment (data <c>{activity, comment, comment_count}</c>); a notification.</summary>
    public const string ActivityCommented = "activity_commented";
    /// <summary>On <c>activity:{id}</c>: a comment was deleted (data <c>{activity, comment, comment_count}</c>, <c>comment</c> the deleted one's id).</summary>
    public const string CommentDeleted = "comment_deleted";
    /// <summary>On <c>feed:{id}</c> of the author and each friend: the author joined a challenge (data <c>{user, name, challenge, title, activity}</c>).</summary>
    public const string ChallengeJoined = "challenge_joined";
}
