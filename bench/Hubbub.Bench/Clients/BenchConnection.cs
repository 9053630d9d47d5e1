namespace Hubbub.Bench.Clients;

/// <summary>One load-generator connection, subscribed to a channel; frames go to its sink.</summary>
public interface IBenchConnection : IAsyncDisposable
{
    /// <summary>Drops the connection at once, without a close handshake (a network loss as the server sees it).</summary>
    void Abort();
}

/// <summary>The one connection that publishes.</summary>
public interface IPublisher : IAsyncDisposable
{
    /// <summary>Sends one payload to the channel without waiting for an answer.</summary>
    ValueTask PublishAsync(byte[] payload, CancellationToken cancellationToken);

    /// <summary>Returns once the server has handled everything sent before (a no-op where the server never answers).</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken);
}

/// <summary>A connection that measures round trips.</summary>
public interface IEchoClient : IAsyncDisposable
{
    /// <summary>Sends <paramref name="payload"/> and returns when the server's answer arrives.</summary>
    ValueTask RoundTripAsync(byte[] payload, CancellationToken cancellationToken);
}
