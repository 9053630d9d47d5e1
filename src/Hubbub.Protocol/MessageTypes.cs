namespace Hubbub.Protocol;

/// <summary>The <c>type</c> values of the core protocol.</summary>
public static class MessageTypes
{
    public const string Welcome = "welcome";
    public const string Reply = "reply";
    public const string Error = "error";
    public const string Ping = "ping";
    public const string Pong = "pong";
    public const string Subscribe = "subscribe";
    public const string Unsubscribe = "unsubscribe";
    public const string Publish = "publish";
    public const string History = "history";
    public const string Presence = "presence";
    public const string PresenceJoin = "presence_join";
    public const string PresenceLeave = "presence_leave";
    public const string Typing = "typing";
    public const string Cursor = "cursor";
    /// <summary>Client request: swap the connection's token for a fresh one of the same user, without reconnecting.</summary>
    public const string Refresh = "refresh";
    /// <summary>Server event: a channel's stream restarted under a new epoch; reload state.</summary>
    public const string StreamReset = "stream_reset";
    /// <summary>Server event: the server ended this subscription (the user lost access); do not resubscribe.</summary>
    public const string Unsubscribed = "unsubscribed";
    /// <summary>The default event type of a publication.</summary>
    public const string Message = "message";

    /// <summary>Types a publication may not take, because they mean something else on the wire.</summary>
    public static bool IsReserved(string type) => type is Welcome or Reply or Error or Ping or Pong or Subscribe
        or Unsubscribe or Publish or History or Presence or PresenceJoin or PresenceLeave or Typing or Cursor or StreamReset or Unsubscribed or Refresh;
}
