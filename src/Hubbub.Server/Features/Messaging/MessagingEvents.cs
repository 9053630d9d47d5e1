using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Hubbub.Core;

namespace Hubbub.Server.Features.Messaging;

/// <summary>
/// Publishes the feature's events, always after the change was committed. A failed publish is logged and not
/// thrown: the change is stored and clients catch up through history or the REST API.
/// </summary>
public sealed partial class MessagingEvents(HubbubEngine engine, ILogger<MessagingEvents> logger)
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
    /// <summary>On <c>user:{id}</c>: the user now takes part in a conversation (data: Conversation).</summary>
    public const string ConversationAdded = "conversation_added";
    /// <summary>On <c>user:{id}</c>: a contact went online or offline (data: <c>{user, is_online, last_seen}</c>).</summary>
    public const string Status = "status";

    /// <summary>The channel of a conversation.</summary>
    public static string ConversationChannel(string conversation) => "conversation:" + conversation;

    /// <summary>The personal channel of a user.</summary>
    public static string UserChannel(string user) => "user:" + user;

    internal Task ToConversationAsync<T>(string conversation, string type, T data, JsonTypeInfo<T> info) =>
        PublishAsync(ConversationChannel(conversation), type, data, info);

    internal Task ToUserAsync<T>(string user, string type, T data, JsonTypeInfo<T> info) =>
        PublishAsync(UserChannel(user), type, data, info);

    /// <summary>Ends the user's live subscriptions to a conversation they no longer take part in (every node).</summary>
    internal async Task EndSubscriptionsAsync(string user, string conversation)
    {
        try
        {
            await engine.RemoveUserFromChannelAsync(user, ConversationChannel(conversation), "left the conversation");
        }
        catch (HubbubException ex)
        {
            LogPublishFailed(logger, "unsubscribed", ex.Message);
        }
    }

    private async Task PublishAsync<T>(string channel, string type, T data, JsonTypeInfo<T> info)
    {
        try
        {
            await engine.PublishAsync(channel, type, JsonSerializer.SerializeToUtf8Bytes(data, info));
        }
        catch (HubbubException ex)
        {
            // e.g. a user id that is not a valid channel name: nobody can subscribe to it anyway.
            LogPublishFailed(logger, type, ex.Message);
        }
    }

    [LoggerMessage(5100, LogLevel.Warning, "Messaging: could not publish {Event}: {Reason}")]
    private static partial void LogPublishFailed(ILogger logger, string @event, string reason);
}
