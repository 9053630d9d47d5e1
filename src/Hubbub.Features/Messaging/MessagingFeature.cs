using Hubbub.Features.Kit.Declaring;
using Hubbub.Features.Kit.Users;
using Hubbub.Storage;
using static Hubbub.Features.Messaging.MessagingJsonContext;

namespace Hubbub.Features.Messaging;

/// <summary>
/// Messaging: options (section <c>Messaging</c>), schema, the <c>conversation</c> namespace, the <c>chat.*</c> commands,
/// also answered as <c>messaging.*</c> (the same request records and service calls as the REST API under <c>/api/conversations</c>), and the contacts
/// that hear a user's online status.
/// </summary>
public sealed class MessagingFeature : HubbubFeature
{
    /// <inheritdoc />
    public override string Name => "messaging";

    /// <inheritdoc />
    public override void Declare(FeatureBuilder feature) => feature
        .Options<MessagingOptions>(MessagingOptions.Section)
        .Migrations(MessagingSchema.Declare)
        .Namespace(sp => ConversationChannelRules.Create(sp.GetRequiredService<IDatabase>()))
        .Command<MessagingService, SendMessageRequest, MessageView>("chat.send", Default.SendMessageRequest, Default.MessageView,
            async (s, me, r, ct) => (await s.SendAsync(me, r, ct)).Message)
        .Command<MessagingService, MessageRequest, MessageView>("chat.edit", Default.MessageRequest, Default.MessageView, (s, me, r, ct) => s.EditAsync(me, r, ct))
        .Command<MessagingService, MessageRequest, MessageView>("chat.delete", Default.MessageRequest, Default.MessageView, (s, me, r, ct) => s.DeleteAsync(me, r, ct))
        .Command<MessagingService, ReadRequest, ReadReceipt>("chat.read", Default.ReadRequest, Default.ReadReceipt, (s, me, r, ct) => s.MarkReadAsync(me, r, ct))
        .Command<MessagingService, ConversationRequest, ConversationList>("chat.conversations", Default.ConversationRequest, Default.ConversationList,
            (s, me, r, ct) => s.ListConversationsAsync(me, r, ct))
        .Command<MessagingService, ConversationRequest, MessagePage>("chat.messages", Default.ConversationRequest, Default.MessagePage,
            (s, me, r, ct) => s.GetMessagesAsync(me, r, ct))
        .Command<MessagingService, CreateConversationRequest, ConversationView>("chat.create", Default.CreateConversationRequest, Default.ConversationView,
            async (s, me, r, ct) => (await s.CreateConversationAsync(me, r, ct)).Conversation)
        .Command<MessagingService, AddParticipantsRequest, ConversationView>("chat.add", Default.AddParticipantsRequest, Default.ConversationView,
            (s, me, r, ct) => s.AddParticipantsAsync(me, r, ct))
        .Command<MessagingService, ConversationRequest, ConversationLeft>("chat.leave", Default.ConversationRequest, Default.ConversationLeft,
            async (s, me, r, ct) => new ConversationLeft(await s.LeaveAsync(me, r.Conversation, ct)))
        // The feature is "messaging": FEATURES.md names commands <feature>.<verb>, so that spelling answers too.
        .CommandAlias("messaging.send", "chat.send")
        .CommandAlias("messaging.edit", "chat.edit")
        .CommandAlias("messaging.delete", "chat.delete")
        .CommandAlias("messaging.read", "chat.read")
        .CommandAlias("messaging.conversations", "chat.conversations")
        .CommandAlias("messaging.messages", "chat.messages")
        .CommandAlias("messaging.create", "chat.create")
        .CommandAlias("messaging.add", "chat.add")
        .CommandAlias("messaging.leave", "chat.leave")
        .Api<MessagingOptions>("/api/conversations", o => o.MaxBodyBytes, MessagingEndpoints.Map)
        .ConsolePage("chat", "Chat", "chat.js")
        .Services
        .AddSingleton<MessagingService>()
        .AddSingleton<ContactlessUsers>()
        .AddSingleton<IContactSource, ConversationContacts>();
}
