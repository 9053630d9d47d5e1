using System.Buffers;

namespace Hubbub.Server.Realtime;

/// <summary>What <see cref="UpgradeHeadParser.Read"/> made of the bytes a connection sent first.</summary>
internal enum UpgradeParse
{
    /// <summary>So far a <c>GET /ws</c> request, but its head has not fully arrived.</summary>
    NeedMore,

    /// <summary>Not a plain, well-formed WebSocket upgrade of <c>/ws</c>: the HTTP layer answers it.</summary>
    NotHandled,

    /// <summary>A complete, well-formed WebSocket upgrade of <c>/ws</c>.</summary>
    Parsed,
}

/// <summary>
/// The head of an HTTP/1.1 WebSocket upgrade of <c>/ws</c>, read straight from a connection's first bytes by
/// <see cref="UpgradeHeadParser"/> for <see cref="ConnectionLevelAccept"/>. Deliberately narrow: anything unusual
/// or anything the HTTP layer would refuse is <see cref="UpgradeParse.NotHandled"/> and goes to the HTTP layer,
/// which answers it exactly as it always has, errors included.
/// </summary>
/// <param name="Target">The request target: <c>/ws</c> and the raw query, if any (<c>?…</c>).</param>
/// <param name="Host">The <c>Host</c> header.</param>
/// <param name="Key">The <c>Sec-WebSocket-Key</c> header (base64 of 16 bytes).</param>
/// <param name="Origin">The <c>Origin</c> header, when sent.</param>
/// <param name="Authorization">The <c>Authorization</c> header, when sent.</param>
/// <param name="Length">Bytes of the head, its closing blank line included.</param>
internal sealed record UpgradeRequestHead(string Target, string Host, string Key, string? Origin, string? Authorization, int Length)
{
    /// <summary>A longer head (a very long token, many headers) goes to the HTTP layer and its own limits.</summary>
    public const int MaxLength = 16 * 1024;

    /// <summary>The query part of <see cref="Target"/> (with its <c>?</c>), or null.</summary>
    public string? Query => Target.Length > 3 ? Target[3..] : null;

    /// <summary><see cref="Query"/> without a string of its own (empty when there is none).</summary>
    public ReadOnlyMemory<char> QueryMemory => Target.Length > 3 ? Target.AsMemory(3) : default;

    /// <summary>Reads a head whose bytes are all in <paramref name="buffer"/>, with Kestrel's default limits.</summary>
    public static UpgradeParse TryParse(ReadOnlySequence<byte> buffer, out UpgradeRequestHead? head) =>
        TryParse(buffer, HeadLimits.KestrelDefaults, out head);

    /// <summary>Reads a head whose bytes are all in <paramref name="buffer"/>.</summary>
    public static UpgradeParse TryParse(ReadOnlySequence<byte> buffer, HeadLimits limits, out UpgradeRequestHead? head) =>
        new UpgradeHeadParser(limits).Read(buffer, out head);
}
