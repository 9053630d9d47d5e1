using System.Globalization;
using Hubbub.Core;
using Hubbub.Server.Api;
using Hubbub.Server.Auth;
using Microsoft.Extensions.Options;

namespace Hubbub.Server.Features.Messaging;

/// <summary>The messaging REST API under <c>/api</c>: JWT bearer auth, JSON in and out, errors as <c>{"code","message"}</c>.</summary>
internal static class MessagingEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api")
            .RequireAuthorization()
            .WithTags("Messaging")
            .AddEndpointFilter(FeatureEndpoints.RefusalsAsErrors)
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        var conversations = api.MapGroup("/conversations");
        conversations.MapPost("/", CreateAsync).WithName("CreateConversation")
            .WithSummary("Create a conversation (an existing direct one is returned with 200)")
            .Accepts<CreateConversationRequest>("application/json")
            .Produces<ConversationView>(StatusCodes.Status201Created).Produces<ConversationView>()
            .Errors(400, 413, 429);
        conversations.MapGet("/", ListAsync).WithName("ListConversations")
            .WithSummary("My conversations, newest activity first").Produces<ConversationList>();
        conversations.MapGet("/{id}", GetAsync).WithName("GetConversation")
            .WithSummary("One conversation").Produces<ConversationView>().Errors(403, 404);
        conversations.MapPost("/{id}/participants", AddParticipantsAsync).WithName("AddParticipants")
            .WithSummary("Add users to a group conversation").Accepts<AddParticipantsRequest>("application/json")
            .Produces<ConversationView>().Errors(400, 403, 404, 413);
        conversations.MapDelete("/{id}/participants/me", LeaveAsync).WithName("LeaveConversation")
            .WithSummary("Leave a conversation").Produces(StatusCodes.Status204NoContent).Errors(403, 404);
        conversations.MapGet("/{id}/messages", MessagesAsync).WithName("ListMessages")
            .WithSummary("A page of messages going back in time (oldest first); ?before=cursor&limit=1..100")
            .Produces<MessagePage>().Errors(400, 403, 404);
        conversations.MapPost("/{id}/messages", SendAsync).WithName("SendMessage")
            .WithSummary("Send a message (a retry with the same client_id returns the first with 200)")
            .Accepts<SendMessageRequest>("application/json")
            .Produces<MessageView>(StatusCodes.Status201Created).Produces<MessageView>().Errors(400, 403, 404, 413, 429);
        conversations.MapPatch("/{id}/messages/{messageId}", EditAsync).WithName("EditMessage")
            .WithSummary("Edit your own message").Accepts<EditMessageRequest>("application/json")
            .Produces<MessageView>().Errors(400, 403, 404, 409, 413);
        conversations.MapDelete("/{id}/messages/{messageId}", DeleteAsync).WithName("DeleteMessage")
            .WithSummary("Delete your own message").Produces<MessageView>().Errors(403, 404);
        conversations.MapPost("/{id}/read", ReadAsync).WithName("MarkRead")
            .WithSummary("Mark the conversation read up to a message").Accepts<ReadRequest>("application/json")
            .Produces<ReadReceipt>().Errors(400, 403, 404);

        api.MapGet("/users/{id}/status", StatusAsync).WithName("UserStatus")
            .WithSummary("Whether a user is online, and when they were last seen").Produces<UserStatus>().Errors(400);
    }

    private static async Task<IResult> CreateAsync(HttpContext http, MessagingService service, IOptions<MessagingOptions> options, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(http.Request, MessagingJsonContext.Default.CreateConversationRequest, options.Value.MaxBodyBytes, ct);
        var (conversation, created) = await service.CreateConversationAsync(http.User.ToHubbubUser(), body, ct);
        return Json(conversation, created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    private static async Task<IResult> ListAsync(HttpContext http, MessagingService service, CancellationToken ct) =>
        TypedResults.Json(await service.ListConversationsAsync(http.User.ToHubbubUser(), ct), MessagingJsonContext.Default.ConversationList);

    private static async Task<IResult> GetAsync(string id, HttpContext http, MessagingService service, CancellationToken ct) =>
        Json(await service.GetConversationAsync(http.User.ToHubbubUser(), id, ct));

    private static async Task<IResult> AddParticipantsAsync(string id, HttpContext http, MessagingService service,
        IOptions<MessagingOptions> options, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(http.Request, MessagingJsonContext.Default.AddParticipantsRequest, options.Value.MaxBodyBytes, ct);
        return Json(await service.AddParticipantsAsync(http.User.ToHubbubUser(), id, body, ct));
    }

    private static async Task<IResult> LeaveAsync(string id, HttpContext http, MessagingService service, CancellationToken ct)
    {
        await service.LeaveAsync(http.User.ToHubbubUser(), id, ct);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> MessagesAsync(string id, string? before, string? limit, HttpContext http, MessagingService service,
        CancellationToken ct)
    {
        int? size = null;
        if (limit is not null)
        {
            size = int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                ? n
                : throw HubbubException.BadRequest("'limit' must be a whole number");
        }
        return TypedResults.Json(await service.GetMessagesAsync(http.User.ToHubbubUser(), id, before, size, ct), MessagingJsonContext.Default.MessagePage);
    }

    private static async Task<IResult> SendAsync(string id, HttpContext http, MessagingService service, IOptions<MessagingOptions> options,
        CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(http.Request, MessagingJsonContext.Default.SendMessageRequest, options.Value.MaxBodyBytes, ct);
        var (message, created) = await service.SendAsync(http.User.ToHubbubUser(), id, body.Text, body.ClientId, ct);
        return Json(message, created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    private static async Task<IResult> EditAsync(string id, string messageId, HttpContext http, MessagingService service,
        IOptions<MessagingOptions> options, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(http.Request, MessagingJsonContext.Default.EditMessageRequest, options.Value.MaxBodyBytes, ct);
        return Json(await service.EditAsync(http.User.ToHubbubUser(), id, messageId, body.Text, ct));
    }

    private static async Task<IResult> DeleteAsync(string id, string messageId, HttpContext http, MessagingService service, CancellationToken ct) =>
        Json(await service.DeleteAsync(http.User.ToHubbubUser(), id, messageId, ct));

    private static async Task<IResult> ReadAsync(string id, HttpContext http, MessagingService service, IOptions<MessagingOptions> options,
        CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(http.Request, MessagingJsonContext.Default.ReadRequest, options.Value.MaxBodyBytes, ct);
        return TypedResults.Json(await service.MarkReadAsync(http.User.ToHubbubUser(), id, body.MessageId, ct), MessagingJsonContext.Default.ReadReceipt);
    }

    private static async Task<IResult> StatusAsync(string id, HttpContext http, MessagingService service, CancellationToken ct) =>
        TypedResults.Json(await service.GetStatusAsync(http.User.ToHubbubUser(), id, ct), MessagingJsonContext.Default.UserStatus);

    private static IResult Json(ConversationView value, int status = StatusCodes.Status200OK) =>
        TypedResults.Json(value, MessagingJsonContext.Default.ConversationView, statusCode: status);

    private static IResult Json(MessageView value, int status = StatusCodes.Status200OK) =>
        TypedResults.Json(value, MessagingJsonContext.Default.MessageView, statusCode: status);
}
