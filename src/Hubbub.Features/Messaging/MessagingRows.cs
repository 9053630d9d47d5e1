namespace Hubbub.Features.Messaging;

// Row classes with settable properties: SQLite returns every integer as 64-bit, which Dapper converts for
// properties but not for record constructor parameters.

internal sealed class ConversationRow
{
    public long Id { get; set; }
    public string Kind { get; set; } = "";
    public string? Title { get; set; }
    public long CreatedMs { get; set; }
    public long LastActivityMs { get; set; }
}

internal sealed class ParticipantRow
{
    public long ConversationId { get; set; }
    public string UserId { get; set; } = "";
    public string Name { get; set; } = "";
}

internal sealed class MessageRow
{
    public long Id { get; set; }
    public long ConversationId { get; set; }
    public string Sender { get; set; } = "";
    public string SenderName { get; set; } = "";
    public string Text { get; set; } = "";
    public string? ClientId { get; set; }
    public long CreatedMs { get; set; }
    public long? EditedMs { get; set; }
    public long Deleted { get; set; }

    public MessageView ToView() => new(
        Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ConversationId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        new UserRef(Sender, SenderName),
        Deleted != 0 ? "" : Text,
        ClientId,
        MessagingTime.ToUtc(CreatedMs),
        EditedMs is { } e ? MessagingTime.ToUtc(e) : null,
        Deleted != 0);
}

internal sealed class CountRow
{
    public long ConversationId { get; set; }
    public long Count { get; set; }
}

/// <summary>Wire times: UTC <see cref="DateTime"/>s, which serialize as ISO-8601 with a <c>Z</c>.</summary>
internal static class MessagingTime
{
    public static DateTime ToUtc(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime;
}
