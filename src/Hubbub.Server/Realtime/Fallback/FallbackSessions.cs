using System.Collections.Concurrent;
using System.Security.Cryptography;
using Hubbub.Core;
using Hubbub.Core.Seams;
using Hubbub.Protocol;
using Microsoft.Extensions.Options;

namespace Hubbub.Server.Realtime.Fallback;

/// <summary>
/// This node's open fallback streams by session id, and the delivery of posted frames to them: here when this node
/// holds the session, else through <see cref="INodeRelay"/> to the node that does. A session id is this node's relay
/// address, a dot, and 128 random bits (base64url): whoever receives a <c>POST</c> knows where the stream is, and
/// nobody can guess a session.
/// </summary>
public sealed class FallbackSessions
{
    private readonly ConcurrentDictionary<string, EventStreamSocket> _open = new(StringComparer.Ordinal);
    private readonly INodeRelay _relay;
    private readonly FallbackOptions _options;
    private readonly HubbubOptions _hubbub;
    private int _listening;

    /// <summary>Creates the registry over the node relay.</summary>
    public FallbackSessions(INodeRelay relay, IOptions<FallbackOptions> options, IOptions<HubbubOptions> hubbub)
    {
        _relay = relay;
        _options = options.Value;
        _hubbub = hubbub.Value;
    }

    /// <summary>Streams open on this node.</summary>
    public int Count => _open.Count;

    /// <summary>Makes sure other nodes can reach this node's sessions (once; again after a failure).</summary>
    internal async ValueTask ListenAsync()
    {
        if (Volatile.Read(ref _listening) == 1)
        {
            return;
        }
        await _relay.ListenAsync(request => DeliverHereAsync(request.Session, request.User, request.Body));
        Volatile.Write(ref _listening, 1);
    }

    /// <summary>Registers a new stream of <paramref name="userId"/> under a fresh session id.</summary>
    internal EventStreamSocket Open(string userId, HttpContext context)
    {
        while (true)
        {
            var session = $"{_relay.Address}.{Base64Url(RandomNumberGenerator.GetBytes(16))}";
            var socket = new EventStreamSocket(session, userId, context, _options.MaxQueuedBytes);
            if (_open.TryAdd(session, socket))
            {
                return socket;
            }
        }
    }

    /// <summary>Forgets a stream that ended: posts to it are answered 404 from now on.</summary>
    internal void Close(EventStreamSocket socket) => _open.TryRemove(new KeyValuePair<string, EventStreamSocket>(socket.Session, socket));

    /// <summary>
    /// Delivers a checked <c>POST</c> body of <paramref name="userId"/> to <paramref name="session"/>, wherever it is.
    /// Throws <see cref="HubbubException"/> (<c>internal</c>) when the session's node could not be asked.
    /// </summary>
    internal async ValueTask<RelayAnswer> DeliverAsync(string session, string userId, ReadOnlyMemory<byte> body)
    {
        var dot = session.IndexOf('.', StringComparison.Ordinal);
        var address = dot > 0 ? session[..dot] : string.Empty;
        if (address == _relay.Address || address.Length == 0)
        {
            return await DeliverHereAsync(session, userId, body);
        }
        var answer = await _relay.SendAsync(address, new RelayRequest(session, userId, body),
            TimeSpan.FromMilliseconds(_options.RelayTimeoutMs));
        return answer ?? UnknownSession;
    }

    private static readonly RelayAnswer UnknownSession = new(StatusCodes.Status404NotFound, ErrorCodes.NotFound,
        "no such session: it ended (or never existed); open a new stream and resubscribe with since");

    private static readonly RelayAnswer Accepted = new(StatusCodes.Status202Accepted);

    private ValueTask<RelayAnswer> DeliverHereAsync(string session, string userId, ReadOnlyMemory<byte> body)
    {
        if (!_open.TryGetValue(session, out var socket))
        {
            return ValueTask.FromResult(UnknownSession);
        }
        if (!string.Equals(socket.UserId, userId, StringComparison.Ordinal))
        {
            return ValueTask.FromResult(new RelayAnswer(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden,
                "this session belongs to another user"));
        }
        // Checked by the node that received the POST already; split again here, where the frames are queued.
        var frames = FrameBatch.TrySplit(body, _options.MaxFramesPerPost, _hubbub.MaxFrameBytes, out var refusal);
        if (frames is null)
        {
            return ValueTask.FromResult(new RelayAnswer(refusal.Status, refusal.Code, refusal.Message));
        }
        return ValueTask.FromResult(socket.TryAdmit(frames, body.Length) switch
        {
            AdmitOutcome.Admitted => Accepted,
            AdmitOutcome.Full => new RelayAnswer(StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited,
                $"the session already holds {_options.MaxQueuedBytes} bytes of frames not yet handled; nothing of this POST was taken, send it again shortly"),
            _ => UnknownSession,
        });
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
