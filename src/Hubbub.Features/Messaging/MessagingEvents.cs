namespace Hubbub.Features.Messaging;

/// <summary>The messaging feature's event names and channels; events are written with the change (the kit's outbox).</summary>
public static class MessagingEvents
{
    /// <summary>A new message (data: Message).</summary>
    public const string Message = "message";
    /// <summary>A message's text changed (data: Message).</summary>
    public const string MessageEdited = "message_edited";
    /// <summary>A message was deleted (data: Message with empty text and <c>deleted: true</c>).</summary>
    public const string MessageDeleted = "message_deleted";
    /// <summary>A participant read up to a message (data: <c>{user, message_id, read_at}</c>).</summary>
    public const string Read = "read";
    /// <summary>Someone joined or left (data: Conversation).</summary>
    public const string ParticipantsChanged = "participants_changed";
    /// <summary>On <c>user:{id}</c>: the user now takes part in a conversation (data: Conversation); also kept as a notification.</summary>
    public const string ConversationAdded = "conversation_added";

    /// <summary>
    /// The event webhooks get for each new message (data: Message). Announced to webhooks only, not raised through every
    /// feature's handlers: a chat's messages are too many to cost a handler run each (<see cref="Kit.FeatureTransaction.AnnounceAsync{T}"/>).
    /// </summary>
    public static readonly Kit.DomainEvents.DomainEventKind<MessageView> MessageSent = new("message.sent", MessagingJsonContext.Default.MessageView);

    /// <summary>The channel namespace of conversations.</summary>
    public const string Namespace = "conversation";

    /// <summary>The channel of a conversation.</summary>
    public static string ConversationChannel(string conversation) => Namespace + ":" + conversation;
}
