using System.Text.Json.Serialization;

namespace Hubbub.Server.Features.Messaging;

/// <summary>A user as shown next to a message or in a participant list.</summary>
/// <param name="User">The user's id (the token's <c>sub</c>).</param>
/// <param name="Name">The display name last seen in the user's token, or the id when never seen.</param>
public sealed record UserRef(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("name")] string Name);

/// <summary>A message. A deleted one keeps its id, sender and time; its text is empty.</summary>
public sealed record MessageView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("conversation")] string Conversation,
    [property: JsonPropertyName("sender")] UserRef Sender,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("client_id")] string? ClientId,
    [property: JsonPropertyName("created_at")] DateTime CreatedAt,
    [property: JsonPropertyName("edited_at")] DateTime? EditedAt,
    [property: JsonPropertyName("deleted")] bool Deleted);

/// <summary>A conversation as one participant sees it (the unread count is theirs).</summary>
public sealed record ConversationView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("participants")] IReadOnlyList<UserRef> Participants,
    [property: JsonPropertyName("created_at")] DateTime CreatedAt,
    [property: JsonPropertyName("last_message")] MessageView? LastMessage,
    [property: JsonPropertyName("unread_count")] long UnreadCount);

/// <summary>The conversations of the caller, newest activity first.</summary>
public sealed record ConversationList(
    [property: JsonPropertyName("conversations")] IReadOnlyList<ConversationView> Conversations);

/// <summary>A page of messages, oldest first; <c>next_cursor</c> fetches the page before it, null at the start.</summary>
public sealed record MessagePage(
    [property: JsonPropertyName("messages")] IReadOnlyList<MessageView> Messages,
    [property: JsonPropertyName("next_cursor")] string? NextCursor);

/// <summary>A read receipt: the user has read up to and including the message.</summary>
public sealed record ReadReceipt(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("message_id")] string MessageId,
    [property: JsonPropertyName("read_at")] DateTime ReadAt);

/// <summary>Whether a user is connected, and when they were last (null while online or never seen).</summary>
public sealed record UserStatus(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("is_online")] bool IsOnline,
    [property: JsonPropertyName("last_seen")] DateTime? LastSeen);

/// <summary><c>POST /api/conversations</c> and <c>chat.create</c>.</summary>
public sealed record CreateConversationRequest(
    [property: JsonPropertyName("kind")] string? Kind,
    [property: JsonPropertyName("participants")] IReadOnlyList<string>? Participants,
    [property: JsonPropertyName("title")] string? Title);

/// <summary><c>POST /api/conversations/{id}/participants</c>.</summary>
public sealed record AddParticipantsRequest(
    [property: JsonPropertyName("users")] IReadOnlyList<string>? Users);

/// <summary><c>POST /api/conversations/{id}/messages</c>.</summary>
public sealed record SendMessageRequest(
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("client_id")] string? ClientId);

/// <summary><c>PATCH /api/conversations/{id}/messages/{message_id}</c>.</summary>
public sealed record EditMessageRequest(
    [property: JsonPropertyName("text")] string? Text);

/// <summary><c>POST /api/conversations/{id}/read</c>.</summary>
public sealed record ReadRequest(
    [property: JsonPropertyName("message_id")] string? MessageId);

/// <summary>The <c>data</c> of the WebSocket commands that name a conversation (and maybe a message).</summary>
public sealed record ChatCommandRequest(
    [property: JsonPropertyName("conversation")] string? Conversation,
    [property: JsonPropertyName("message")] string? Message,
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("client_id")] string? ClientId,
    [property: JsonPropertyName("before")] string? Before,
    [property: JsonPropertyName("limit")] int? Limit);

/// <summary>Source-generated JSON for the messaging contracts.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(MessageView))]
[JsonSerializable(typeof(ConversationView))]
[JsonSerializable(typeof(ConversationList))]
[JsonSerializable(typeof(MessagePage))]
[JsonSerializable(typeof(ReadReceipt))]
[JsonSerializable(typeof(UserStatus))]
[JsonSerializable(typeof(CreateConversationRequest))]
[JsonSerializable(typeof(AddParticipantsRequest))]
[JsonSerializable(typeof(SendMessageRequest))]
[JsonSerializable(typeof(EditMessageRequest))]
[JsonSerializable(typeof(ReadRequest))]
[JsonSerializable(typeof(ChatCommandRequest))]
public sealed partial class MessagingJsonContext : JsonSerializerContext;
