namespace Hubbub.Server.Access;

/// <summary>The access module's log messages. None carries a token, a cookie or a proxy's answer body.</summary>
internal static partial class Log
{
    [LoggerMessage(2100, LogLevel.Warning, "The {Kind} proxy {Url} failed ({Reason}): {Detail}")]
    public static partial void ProxyFailed(ILogger logger, string kind, string url, string reason, string detail);
}
