namespace Hubbub.Server.Auth;

/// <summary>Authentication settings, section <c>Auth</c> (environment <c>Auth__Name</c>).</summary>
public sealed class AuthOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Auth";

    /// <summary>
    /// The HS256 key tokens are signed with, as text (its UTF-8 bytes are the key). Required outside
    /// Development; in Development a random key is generated once and kept in the data directory.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>When set, a token's <c>iss</c> must equal it.</summary>
    public string? Issuer { get; set; }

    /// <summary>When set, a token's <c>aud</c> must contain it.</summary>
    public string? Audience { get; set; }

    /// <summary>The key other backends send in <c>X-Api-Key</c> to <c>POST /api/publish</c>. Unset: the server API refuses everyone.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Browser origins besides the server's own that may open a WebSocket (e.g. <c>https://app.example.com</c>; <c>*</c> allows any).</summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>Tolerated clock difference when checking <c>exp</c> and <c>nbf</c>, in seconds.</summary>
    public int ClockSkewSeconds { get; set; }
}
