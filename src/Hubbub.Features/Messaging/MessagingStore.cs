using Hubbub.Storage;

namespace Hubbub.Features.Messaging;

/// <summary>
/// The messaging SQL, portable between SQLite and PostgreSQL. Every method runs inside the caller's
/// transaction; the service decides, this only reads and writes.
/// </summary>
internal static class MessagingStore
{
    private const string MessageColumns = """
        m.id AS Id, m.conversation_id AS ConversationId, m.sender AS Sender, COALESCE(u.name, m.sender) AS SenderName,
        m.text AS Text, m.client_id AS ClientId, m.created_ms AS CreatedMs, m.edited_ms AS EditedMs, m.deleted AS Deleted
        """;

    private const string MessageFrom = "chat_messages m LEFT JOIN kit_users u ON u.id = m.sender";

    public static Task<ConversationRow?> FindConversationAsync(DatabaseTransaction tx, long id, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<ConversationRow>(
            "SELECT id AS Id, kind AS Kind, title AS Title, created_ms AS CreatedMs, last_activity_ms AS LastActivityMs FROM chat_conversations WHERE id = @id",
            new { id }, ct);

    public static async Task<bool> IsParticipantAsync(DatabaseTransaction tx, long conversation, string user, CancellationToken ct) =>
        await tx.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM chat_participants WHERE conversation_id = @conversation AND user_id = @user",
            new { conversation, user }, ct) > 0;

    public static async Task<long?> FindDirectAsync(DatabaseTransaction tx, string directKey, CancellationToken ct) =>
        await tx.QuerySingleOrDefaultAsync<long?>("SELECT id FROM chat_conversations WHERE direct_key = @directKey", new { directKey }, ct);

    public static Task<long> InsertConversationAsync(DatabaseTransaction tx, string kind, string? title, string? directKey, long now, CancellationToken ct) =>
        tx.QuerySingleAsync<long>(
            """
            INSERT INTO chat_conversations (kind, title, direct_key, created_ms, last_activity_ms)
            VALUES (@kind, @title, @directKey, @now, @now) RETURNING id
            """,
            new { kind, title, directKey, now }, ct);

    /// <summary>Adds the users not yet in the conversation; returns those added.</summary>
    public static async Task<List<string>> AddParticipantsAsync(DatabaseTransaction tx, long conversation, IEnumerable<string> users, long now, CancellationToken ct)
    {
        var added = new List<string>();
        foreach (var user in users)
        {
            // A newcomer has read nothing before joining worth counting: start their unread count at now. One statement,
            // so two adds of the same user racing on PostgreSQL cannot both insert (or fail).
            if (await tx.ExecuteAsync(
                    """
                    INSERT INTO chat_participants (conversation_id, user_id, joined_ms, last_read_id)
                    VALUES (@conversation, @user, @now, COALESCE((SELECT MAX(id) FROM chat_messages WHERE conversation_id = @conversation), 0))
                    ON CONFLICT (conversation_id, user_id) DO NOTHING
                    """,
                    new { conversation, user, now }, ct) == 1)
            {
                added.Add(user);
            }
        }
        return added;
    }

    public static async Task<long> CountParticipantsAsync(DatabaseTransaction tx, long conversation, CancellationToken ct) =>
        await tx.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM chat_participants WHERE conversation_id = @conversation", new { conversation }, ct);

    public static Task<int> RemoveParticipantAsync(DatabaseTransaction tx, long conversation, string user, CancellationToken ct) =>
        tx.ExecuteAsync("DELETE FROM chat_participants WHERE conversation_id = @conversation AND user_id = @user", new { conversation, user }, ct);

    public static Task TouchConversationAsync(DatabaseTransaction tx, long conversation, long now, CancellationToken ct) =>
        tx.ExecuteAsync("UPDATE chat_conversations SET last_activity_ms = @now WHERE id = @conversation AND last_activity_ms < @now",
            new { conversation, now }, ct);

    public static Task<MessageRow?> FindMessageAsync(DatabaseTransaction tx, long conversation, long id, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<MessageRow>(
            $"SELECT {MessageColumns} FROM {MessageFrom} WHERE m.id = @id AND m.conversation_id = @conversation",
            new { conversation, id }, ct);

    public static Task<long> InsertMessageAsync(DatabaseTransaction tx, long conversation, string sender, string text, string? clientId, long now, CancellationToken ct) =>
        tx.QuerySingleAsync<long>(
            """
            INSERT INTO chat_messages (conversation_id, sender, text, client_id, created_ms, deleted)
            VALUES (@conversation, @sender, @text, @clientId, @now, 0) RETURNING id
            """,
            new { conversation, sender, text, clientId, now }, ct);

    public static Task EditMessageAsync(DatabaseTransaction tx, long id, string text, long now, CancellationToken ct) =>
        tx.ExecuteAsync("UPDATE chat_messages SET text = @text, edited_ms = @now WHERE id = @id", new { id, text, now }, ct);

    public static Task DeleteMessageAsync(DatabaseTransaction tx, long id, CancellationToken ct) =>
        tx.ExecuteAsync("UPDATE chat_messages SET text = '', deleted = 1 WHERE id = @id", new { id }, ct);

    /// <summary>Moves the user's read marker forward only; true when it moved.</summary>
    public static async Task<bool> MarkReadAsync(DatabaseTransaction tx, long conversation, string user, long id, CancellationToken ct) =>
        await tx.ExecuteAsync(
            "UPDATE chat_participants SET last_read_id = @id WHERE conversation_id = @conversation AND user_id = @user AND last_read_id < @id",
            new { conversation, user, id }, ct) > 0;

    /// <summary>The message <paramref name="user"/> has read up to in a conversation (0: none).</summary>
    public static Task<long> ReadMarkerAsync(DatabaseTransaction tx, long conversation, string user, CancellationToken ct) =>
        tx.ExecuteScalarAsync<long>(
            "SELECT last_read_id FROM chat_participants WHERE conversation_id = @conversation AND user_id = @user",
            new { conversation, user }, ct);

    /// <summary>Up to <paramref name="limit"/> messages before <paramref name="before"/> (all when null), newest first.</summary>
    public static async Task<List<MessageRow>> MessagesBeforeAsync(DatabaseTransaction tx, long conversation, long? before, int limit, CancellationToken ct) =>
        [.. await tx.QueryAsync<MessageRow>(
            $"""
            SELECT {MessageColumns} FROM {MessageFrom}
            WHERE m.conversation_id = @conversation AND m.id < @before
            ORDER BY m.id DESC LIMIT @limit
            """,
            new { conversation, before = before ?? long.MaxValue, limit }, ct)];

    /// <summary>
    /// Up to <paramref name="take"/> conversations <paramref name="viewer"/> takes part in, newest activity first, after
    /// the cursor (<paramref name="beforeMs"/>, <paramref name="beforeId"/>; <see cref="long.MaxValue"/> for the first page).
    /// </summary>
    public static async Task<List<ConversationRow>> ConversationsOfAsync(DatabaseTransaction tx, string viewer, long beforeMs, long beforeId,
        int take, CancellationToken ct) =>
        [.. await tx.QueryAsync<ConversationRow>(
            $"""
            SELECT c.id AS Id, c.kind AS Kind, c.title AS Title, c.created_ms AS CreatedMs, c.last_activity_ms AS LastActivityMs
            FROM chat_conversations c JOIN chat_participants p ON p.conversation_id = c.id AND p.user_id = @viewer
            WHERE c.last_activity_ms < @beforeMs OR (c.last_activity_ms = @beforeMs AND c.id < @beforeId)
            ORDER BY c.last_activity_ms DESC, c.id DESC
            LIMIT @take
            """,
            new { viewer, beforeMs, beforeId, take }, ct)];

    public static async Task<List<ParticipantRow>> ParticipantsAsync(DatabaseTransaction tx, long[] conversations, CancellationToken ct) =>
        [.. await tx.QueryAsync<ParticipantRow>(
            $"""
            SELECT p.conversation_id AS ConversationId, p.user_id AS UserId, COALESCE(u.name, p.user_id) AS Name
            FROM chat_participants p LEFT JOIN kit_users u ON u.id = p.user_id
            WHERE p.conversation_id IN ({InList(conversations)})
            ORDER BY p.joined_ms, p.user_id
            """,
            null, ct)];

    public static async Task<List<MessageRow>> LastMessagesAsync(DatabaseTransaction tx, long[] conversations, CancellationToken ct) =>
        [.. await tx.QueryAsync<MessageRow>(
            $"""
            SELECT {MessageColumns} FROM {MessageFrom}
            WHERE m.id IN (SELECT MAX(id) FROM chat_messages WHERE conversation_id IN ({InList(conversations)}) GROUP BY conversation_id)
            """,
            null, ct)];

    /// <summary>Per conversation: messages of others after the viewer's read marker, not deleted.</summary>
    public static async Task<List<CountRow>> UnreadCountsAsync(DatabaseTransaction tx, string viewer, long[] conversations, CancellationToken ct) =>
        [.. await tx.QueryAsync<CountRow>(
            $"""
            SELECT m.conversation_id AS ConversationId, COUNT(*) AS Count
            FROM chat_messages m JOIN chat_participants p ON p.conversation_id = m.conversation_id AND p.user_id = @viewer
            WHERE m.conversation_id IN ({InList(conversations)}) AND m.id > p.last_read_id AND m.sender <> @viewer AND m.deleted = 0
            GROUP BY m.conversation_id
            """,
            new { viewer }, ct)];

    /// <summary>Users who share at least one conversation with <paramref name="user"/>.</summary>
    public static async Task<List<string>> ContactsOfAsync(DatabaseTransaction tx, string user, CancellationToken ct) =>
        [.. await tx.QueryAsync<string>(
            """
            SELECT DISTINCT other.user_id FROM chat_participants mine
            JOIN chat_participants other ON other.conversation_id = mine.conversation_id
            WHERE mine.user_id = @user AND other.user_id <> @user
            """,
            new { user }, ct)];

    /// <summary>Every user taking part in a conversation, at most <paramref name="limit"/> (<see cref="ContactlessUsers"/>).</summary>
    public static async Task<List<string>> ParticipantUsersAsync(DatabaseTransaction tx, int limit, CancellationToken ct) =>
        [.. await tx.QueryAsync<string>("SELECT DISTINCT user_id FROM chat_participants LIMIT @limit", new { limit }, ct)];

    // Ids are longs the server parsed, never client text, so inlining them is safe and keeps IN portable.
    private static string InList(long[] ids) =>
        ids.Length == 0 ? "NULL" : string.Join(",", ids.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}
