namespace Hubbub.Features.Social;

// Settable properties: SQLite returns every integer as 64-bit, which Dapper converts for properties only.

internal class ActivityRow
{
    public long Seq { get; set; }
    public string Id { get; set; } = "";
    public string UserId { get; set; } = "";
    public string Name { get; set; } = "";
    public string Type { get; set; } = "";
    public string Title { get; set; } = "";
    public string? Description { get; set; }
    public string? Data { get; set; }
    public long CreatedMs { get; set; }
    public long? UpdatedMs { get; set; }
    public long LikeCount { get; set; }
    public long CommentCount { get; set; }
    public long LikedByMe { get; set; }
}

/// <summary>A feed row on PostgreSQL: the activity, and one of its latest comments (none: the comment fields are null).</summary>
internal sealed class FeedRow : ActivityRow
{
    public long? CommentId { get; set; }
    public string? CommentUserId { get; set; }
    public string? CommentName { get; set; }
    public string? CommentText { get; set; }
    public long? CommentCreatedMs { get; set; }
}

internal sealed class CommentRow
{
    public long Id { get; set; }
    public string ActivityId { get; set; } = "";
    public string UserId { get; set; } = "";
    public string Name { get; set; } = "";
    public string Text { get; set; } = "";
    public long CreatedMs { get; set; }
}

internal sealed class PersonRow
{
    public string UserId { get; set; } = "";
    public string Name { get; set; } = "";
    public long CreatedMs { get; set; }
}

internal sealed class RuleRow
{
    public string Type { get; set; } = "";
    public string Title { get; set; } = "";
    public string? Description { get; set; }
    public string? WhenJson { get; set; }
    public long CreatedMs { get; set; }
}

/// <summary>Who liked an activity, for its like notification.</summary>
internal sealed class Liker
{
    public string User { get; set; } = "";
    public string Name { get; set; } = "";
}
