using System.Security.Cryptography;
using Hubbub.Core.Seams;

namespace Hubbub.Core.Memory;

/// <summary>
/// The single-node relay: the only node there is listens at <see cref="Address"/>; a request for any other address
/// finds nobody (null), as one for a node that stopped does in a scale-out deployment.
/// </summary>
public sealed class MemoryNodeRelay : INodeRelay
{
    private Func<RelayRequest, ValueTask<RelayAnswer>>? _handler;

    /// <inheritdoc />
    public string Address { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <inheritdoc />
    public ValueTask ListenAsync(Func<RelayRequest, ValueTask<RelayAnswer>> handler, CancellationToken cancellationToken = default)
    {
        Interlocked.CompareExchange(ref _handler, handler, null);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask<RelayAnswer?> SendAsync(string address, RelayRequest request, TimeSpan timeout,
        CancellationToken cancellationToken = default) =>
        address == Address && Volatile.Read(ref _handler) is { } handler ? await handler(request) : null;
}
