namespace Hubbub.Client;

/// <summary>How <see cref="HubbubClient.CallAsync(string, System.Text.Json.JsonElement, CallOptions, CancellationToken)"/> treats one request.</summary>
public sealed class CallOptions
{
    /// <summary>The default: queued while offline.</summary>
    public static CallOptions Default { get; } = new();

    /// <summary>
    /// Whether the request may wait in the offline queue while the client is not connected (default true). Set it
    /// to false for what must never arrive late, such as a bid: while not connected the call then fails at once
    /// with a <see cref="HubbubConnectionException"/> whose <see cref="HubbubConnectionException.NeverSent"/> is true.
    /// </summary>
    public bool Queue { get; init; } = true;
}
