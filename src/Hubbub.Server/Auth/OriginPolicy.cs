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
    public bool IsAllowed(HttpRequest request) =>
        IsAllowed(request.Headers.Origin.Count > 0 ? request.Headers.Origin[0] : null, request.Host, request.Scheme is "https" or "wss");

    /// <summary>True when a handshake with this <c>Origin</c> (null when absent), sent to this host, may proceed.</summary>
    public bool IsAllowed(string? origin, HostString host, bool https)
    {
        if (string.IsNullOrEmpty(origin))
        {
            return true;
        }
        foreach (var allowed in options.Value.AllowedOrigins)
        {
            if (allowed == "*" || string.Equals(allowed.TrimEnd('/'), origin, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || !host.HasValue)
        {
            return false;
        }
        var ownScheme = https ? "https" : "http";
        var originScheme = uri.Scheme is "https" or "wss" ? "https" : "http";
        var requestPort = host.Port ?? (ownScheme == "https" ? 443 : 80);
        return string.Equals(ownScheme, originScheme, StringComparison.Ordinal)
            && string.Equals(uri.Host, host.Host, StringComparison.OrdinalIgnoreCase)
            && uri.Port == requestPort;
    }
}
