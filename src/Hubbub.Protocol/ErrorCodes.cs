namespace Hubbub.Protocol;

/// <summary>The closed catalogue of error codes carried in <c>{"type":"error","data":{"code":…}}</c>.</summary>
public static class ErrorCodes
{
    /// <summary>The frame is not JSON, names an unknown type, or lacks or mistypes a field.</summary>
    public const string BadRequest = "bad_request";
    /// <summary>The caller is not signed in (REST) or the token no longer holds.</summary>
    public const string Unauthorized = "unauthorized";
    /// <summary>The caller is signed in but may not do this (subscribe, publish, edit…).</summary>
    public const string Forbidden = "forbidden";
    /// <summary>The thing asked for does not exist.</summary>
    public const string NotFound = "not_found";
    /// <summary>The request clashes with the current state (already subscribed, stale version…).</summary>
    public const string Conflict = "conflict";
    /// <summary>The connection sends faster than its limit; keep flooding and it is closed with 1008.</summary>
    public const string RateLimited = "rate_limited";
    /// <summary>A value is larger than its limit (payload, text, list).</summary>
    public const string TooLarge = "too_large";
    /// <summary>The server failed; the request may be retried.</summary>
    public const string Internal = "internal";

    /// <summary>Every code, for documentation and validation.</summary>
    public static readonly IReadOnlyList<string> All =
        [BadRequest, Unauthorized, Forbidden, NotFound, Conflict, RateLimited, TooLarge, Internal];
}
