using System.Text.Json;
using Hubbub.Core.Diagnostics;
using Hubbub.Core.Seams;
using Hubbub.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hubbub.Core.Connections;

/// <summary>
/// <c>refresh {token}</c>: swaps a connection's token without reconnecting. The new token is checked as at the upgrade
/// (<see cref="ITokenAuthenticator"/>) and must sign in the same user; then later requests are judged by its roles and
/// channels and the connection expires with it. A refused refresh leaves the connection on its current token, which
/// still expires when it did. One per engine.
/// </summary>
internal sealed class TokenRefresh(IServiceProvider services, ILogger logger)
{
    /// <summary>
    /// Longest token a refresh takes (bytes of its text). At the upgrade the token travels in the request line, which
    /// Kestrel bounds at 8 KiB; a refresh takes no larger one than a connection could have been opened with.
    /// </summary>
    public const int MaxTokenLength = 8 * 1024;

    // Resolved on first use: the host registers it after the engine, and a server without one refuses refresh.
    private readonly Lazy<ITokenAuthenticator?> _authenticator = new(services.GetService<ITokenAuthenticator>);

    public async ValueTask RefreshAsync(ClientConnection connection, string? rawId, RefreshRequest request)
    {
        if (string.IsNullOrEmpty(request.Token))
        {
            throw HubbubException.BadRequest("refresh needs a 'token' (a JWT as text)");
        }
        if (request.Token.Length > MaxTokenLength)
        {
            throw HubbubException.TooLarge($"a token may be at most {MaxTokenLength} characters");
        }
        if (_authenticator.Value is not { } authenticator)
        {
            throw HubbubException.BadRequest("this server does not take token refreshes");
        }
        var user = await authenticator.AuthenticateAsync(request.Token)
            ?? throw new HubbubException(ErrorCodes.Unauthorized,
                "the token is not valid (malformed, wrongly signed or expired); the connection keeps its current token");
        if (!string.Equals(user.Id, connection.User.Id, StringComparison.Ordinal))
        {
            throw HubbubException.Forbidden(
                "the token signs in another user; a connection keeps its user (reconnect to change it). The connection keeps its current token");
        }
        connection.ReplaceCredentials(user);
        Log.TokenRefreshed(logger, connection.Id, user.Id);
        if (rawId is not null)
        {
            connection.TryEnqueue(FrameWriter.Reply(rawId, new RefreshReply(user.ExpiresAt?.ToUnixTimeSeconds()),
                HubbubJsonContext.Default.RefreshReply));
        }
    }

    /// <summary>Reads the request, accepting only an object with a string <c>token</c>.</summary>
    public static RefreshRequest Read(JsonElement data)
    {
        if (data.ValueKind != JsonValueKind.Object)
        {
            throw HubbubException.BadRequest("'refresh' needs an object in 'data': {\"token\": \"…\"}");
        }
        if (!data.TryGetProperty("token"u8, out var token) || token.ValueKind != JsonValueKind.String)
        {
            throw HubbubException.BadRequest("refresh needs a 'token' (a JWT as text)");
        }
        return new RefreshRequest(token.GetString());
    }
}
