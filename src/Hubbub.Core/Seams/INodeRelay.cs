namespace Hubbub.Core.Seams;

/// <summary>
/// Carries a request from one node to another named node and its answer back: the HTTP fallback transport uses it
/// to hand the client frames a <c>POST</c> brought to whichever node holds the client's stream, so a deployment
/// needs no sticky sessions. Single node: only this node's own address is reachable. Scale-out: through the broker.
/// </summary>
public interface INodeRelay
{
    /// <summary>
    /// This node's relay address: random per process start, so an address outlives no restart (a session issued
    /// before it is unknown after it). Made of lowercase hex digits only.
    /// </summary>
    string Address { get; }

    /// <summary>
    /// Starts answering requests addressed to this node with <paramref name="handler"/> (once; later calls are
    /// ignored). Returns once requests can arrive.
    /// </summary>
    ValueTask ListenAsync(Func<RelayRequest, ValueTask<RelayAnswer>> handler, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends <paramref name="request"/> to the node at <paramref name="address"/> and waits (at most
    /// <paramref name="timeout"/>) for its answer. Null when no node listens at that address (it stopped, or never
    /// existed). Throws <see cref="HubbubException"/> (<c>internal</c>) when the broker is away or the node did not
    /// answer in time: the request may or may not have been handled.
    /// </summary>
    ValueTask<RelayAnswer?> SendAsync(string address, RelayRequest request, TimeSpan timeout, CancellationToken cancellationToken = default);
}

/// <summary>A request for another node: the fallback session it concerns, the user who sent it, and the payload.</summary>
/// <param name="Session">The fallback session id.</param>
/// <param name="User">The id of the user the request was authenticated as.</param>
/// <param name="Body">The payload (the POST body, already checked by the receiving node).</param>
public sealed record RelayRequest(string Session, string User, ReadOnlyMemory<byte> Body);

/// <summary>A node's answer to a <see cref="RelayRequest"/>: an HTTP status and, for a refusal, its error code and message.</summary>
/// <param name="Status">The HTTP status the receiving node answers with (202 when accepted).</param>
/// <param name="Code">The error code of a refusal, else null.</param>
/// <param name="Message">The refusal's message, else null.</param>
public sealed record RelayAnswer(int Status, string? Code = null, string? Message = null);
