using System.Text.Json.Serialization;
using Hubbub.Features.Kit.Callers;

namespace Hubbub.Features.Messaging;

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

/// <summary>A page of the caller's conversations, newest activity first; <c>next_cursor</c> fetches the next page, null at the end.</summary>
public sealed record ConversationList(
    [property: JsonPropertyName("conversations")] IReadOnlyList<ConversationView> Conversations,
    [property: JsonPropertyName("next_cursor")] string? NextCursor);

/// <summary>What <c>chat.leave</c> answers: the conversation left.</summary>
public sealed record ConversationLeft(
    [property: JsonPropertyName("conversation")] string Conversation);

/// <summary>A page of messages, oldest first; <c>next_cursor</c> fetches the page before it, null at the start.</summary>
public sealed record MessagePage(
    [property: JsonPropertyName("messages")] IReadOnlyList<MessageView> Messages,
    [property: JsonPropertyName("next_cursor")] string? NextCursor);

/// <summary>A read receipt: the user has read up to and including the message.</summary>
public sealed record ReadReceipt(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("message_id")] string MessageId,
    [property: JsonPropertyName("read_at")] DateTime ReadAt);

/// <summary><c>POST /api/conversations</c> and <c>chat.create</c>.</summary>
public sealed record CreateConversationRequest(
    [property: JsonPropertyName("kind")] string? Kind,
    [property: JsonPropertyName("participants")] IReadOnlyList<string>? Participants,
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("user")] string? User = null) : IActingRequest;

/// <summary><c>POST /api/conversations/{id}/participants</c> (the path names the conversation).</summary>
public sealed record AddParticipantsRequest(
    [property: JsonPropertyName("users")] IReadOnlyList<string>? Users,
    [property: JsonPropertyName("conversation")] string? Conversation = null,
    [property: JsonPropertyName("user")] string? User = null) : IActingRequest;

/// <summary>A conversation named by a command (<c>chat.messages</c>) or by the path: <c>before</c> and <c>limit</c> page its messages.</summary>
public sealed record ConversationRequest(
    [property: JsonPropertyName("conversation")] string? Conversation,
    [property: JsonPropertyName("before")] string? Before = null,
    [property: JsonPropertyName("limit")] int? Limit = null,
    [property: JsonPropertyName("user")] string? User = null) : IActingRequest;

/// <summary><c>POST /api/conversations/{id}/messages</c> and <c>chat.send</c>.</summary>
public sealed record SendMessageRequest(
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("client_id")] string? ClientId,
    [property: JsonPropertyName("conversation")] string? Conversation = null,
    [property: JsonPropertyName("user")] string? User = null) : IActingRequest;

/// <summary><c>PATCH /api/conversations/{id}/messages/{message_id}</c> and <c>chat.edit</c>; <c>chat.delete</c> without text.</summary>
public sealed record MessageRequest(
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("conversation")] string? Conversation = null,
    [property: JsonPropertyName("message")] string? Message = null,
    [property: JsonPropertyName("user")] string? User = null) : IActingRequest;

/// <summary>
/// <c>POST /api/conversations/{id}/read</c> and <c>chat.read</c>. The message is <c>message_id</c> (REST's name) or
/// <c>message</c> (the command's, as in the other <c>chat.*</c> commands).
/// </summary>
public sealed record ReadRequest(
    [property: JsonPropertyName("message_id")] string? MessageId,
    [property: JsonPropertyName("message")] string? Message = null,
    [property: JsonPropertyName("conversation")] string? Conversation = null,
    [property: JsonPropertyName("user")] string? User = null) : IActingRequest
{
    /// <summary>The message read up to, whichever name carried it.</summary>
    public string? Target => MessageId ?? Message;
}

/// <summary>The data of the <c>conversation_added</c> notification: who added the user to which conversation.</summary>
public sealed record ConversationAddedNotice(
    [property: JsonPropertyName("conversation")] string Conversation,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("by")] UserRef By);

/// <summary>Source-generated JSON for the messaging contracts.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(MessageView))]
[JsonSerializable(typeof(ConversationView))]
[JsonSerializable(typeof(ConversationList))]
[JsonSerializable(typeof(ConversationLeft))]
[JsonSerializable(typeof(MessagePage))]
[JsonSerializable(typeof(ReadReceipt))]
[JsonSerializable(typeof(CreateConversationRequest))]
[JsonSerializable(typeof(AddParticipantsRequest))]
[JsonSerializable(typeof(ConversationRequest))]
[JsonSerializable(typeof(SendMessageRequest))]
[JsonSerializable(typeof(MessageRequest))]
[JsonSerializable(typeof(ReadRequest))]
[JsonSerializable(typeof(ConversationAddedNotice))]
public sealed partial class MessagingJsonContext : JsonSerializerContext;
