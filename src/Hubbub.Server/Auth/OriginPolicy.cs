using Microsoft.Extensions.Options;

namespace Hubbub.Server.Auth;

/// <summary>
/// Refuses cross-site WebSocket hijacking: a handshake that carries an <c>Origin</c> must come from the
/// server's own origin or one listed in <c>Auth:AllowedOrigins</c>. Clients that send no <c>Origin</c>
/// (servers, SDKs, tools) are judged by their token alone.
/// </summary>
public sealed class OriginPolicy(IOptions<AuthOptions> options)
{
    /// <summary>True when the request may proceed.</summary>
    public bool IsAllowed(HttpRequest request)
    {
        if (!request.Headers.TryGetValue("Origin", out var values) || values.Count == 0 || string.IsNullOrEmpty(values[0]))
        {
            return true;
        }
        var origin = values[0]!;
        foreach (var allowed in options.Value.AllowedOrigins)
        {
            if (allowed == "*" || string.Equals(allowed.TrimEnd('/'), origin, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || !request.Host.HasValue)
        {
            return false;
        }
        var ownScheme = request.Scheme is "https" or "wss" ? "https" : "http";
        var originScheme = uri.Scheme is "https" or "wss" ? "https" : "http";
        var requestPort = request.Host.Port ?? (ownScheme == "https" ? 443 : 80);
        return string.Equals(ownScheme, originScheme, StringComparison.Ordinal)
            && string.Equals(uri.Host, request.Host.Host, StringComparison.OrdinalIgnoreCase)
            && uri.Port == requestPort;
    }
}
