using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Hubbub.Server.Realtime;

/// <summary>
/// The limits Kestrel's HTTP layer puts on a request head (<see cref="KestrelServerLimits"/>), which the
/// connection-level accept keeps too: a head it accepts must be one the HTTP layer would have accepted, so it
/// stays below every one of them and hands on any head that reaches one (the HTTP layer then answers 414 or 431).
/// </summary>
/// <param name="MaxRequestLineSize">Bytes of the request line, its line end included.</param>
/// <param name="MaxHeadersTotalSize">Bytes of all header lines and the closing blank line.</param>
/// <param name="MaxHeaderCount">Header lines.</param>
internal readonly record struct HeadLimits(int MaxRequestLineSize, int MaxHeadersTotalSize, int MaxHeaderCount)
{
    /// <summary>Kestrel's defaults (8 KiB, 32 KiB, 100).</summary>
    public static HeadLimits KestrelDefaults { get; } = From(new KestrelServerLimits());

    /// <summary>The limits a Kestrel server runs with.</summary>
    public static HeadLimits From(KestrelServerLimits limits) =>
        new(limits.MaxRequestLineSize, limits.MaxRequestHeadersTotalSize, limits.MaxRequestHeaderCount);

    /// <summary>
    /// At this many bytes without the end of its head, a request is one the HTTP layer answers at once: its request
    /// line and its headers together cannot be longer (the 2 is the closing blank line Kestrel allows beyond
    /// <see cref="MaxHeadersTotalSize"/>).
    /// </summary>
    public long LongestHead => (long)MaxRequestLineSize + MaxHeadersTotalSize + 2;
}
