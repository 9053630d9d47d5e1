using System.Text;

namespace Hubbub.Bench.Clients;

/// <summary>
/// Hubbub's publish round trip: one client subscribed to a channel publishes into it with an id and waits for its
/// own publication. The <c>reply</c> (with the offset) must come before the publication; both are counted, so a
/// run shows that every round trip got its reply, first.
/// </summary>
internal sealed class PublishEchoClient : IEchoClient
{
    private readonly EchoOverWs _echo;
    private bool _awaitingReply;

    /// <param name="client">A connected client subscribed to <paramref name="channel"/>, whose receive loop is not started.</param>
    /// <param name="channel">The channel it publishes into.</param>
    public PublishEchoClient(WsClient client, string channel)
    {
        var head = Encoding.UTF8.GetBytes($$"""{"type":"publish","data":{"channel":"{{channel}}","data":""");
        var publication = Encoding.UTF8.GetBytes($$"""{"type":"message","channel":"{{channel}}",""");
        long id = 0;
        _echo = new EchoOverWs(client, payload =>
        {
            var idJson = Encoding.UTF8.GetBytes($$""","id":{{++id}}}""");
            _awaitingReply = true;
            // {"type":"publish","data":{"channel":"…","data":PAYLOAD},"id":N}
            return [.. head, .. payload, (byte)'}', .. idJson];
        }, frame =>
        {
            if (frame.StartsWith(publication))
            {
                if (_awaitingReply)
                {
                    OutOfOrder++;
                }
                Publications++;
                return true;
            }
            if (frame.StartsWith("""{"type":"reply","""u8))
            {
                _awaitingReply = false;
                Replies++;
                return false;
            }
            return frame.StartsWith("""{"type":"error","""u8)
                ? throw new IOException($"the publish was answered with an error: {Encoding.UTF8.GetString(frame)}")
                : false;
        });
    }

    /// <summary>Replies received.</summary>
    public long Replies { get; private set; }

    /// <summary>Own publications received.</summary>
    public long Publications { get; private set; }

    /// <summary>Publications that arrived before their publish's reply (must stay 0: the protocol puts the reply first).</summary>
    public long OutOfOrder { get; private set; }

    public ValueTask RoundTripAsync(byte[] payload, CancellationToken cancellationToken) => _echo.RoundTripAsync(payload, cancellationToken);

    public ValueTask DisposeAsync() => _echo.DisposeAsync();
}
