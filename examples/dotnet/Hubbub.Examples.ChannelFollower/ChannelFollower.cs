using Hubbub.Client;

namespace Hubbub.Examples;

/// <summary>
/// Follows one channel: prints every publication once, in order, however often the connection drops — the SDK
/// resubscribes with the last offset and the server replays what was missed. When the server cannot replay
/// (history gone, server restarted), it prints the channel's recent history instead, the "reload your state" step.
/// </summary>
public sealed class ChannelFollower(HubbubClient client, string channel, TextWriter output)
{
    private readonly List<long> _offsets = [];

    /// <summary>Offsets of the publications received so far, in arrival order.</summary>
    public IReadOnlyList<long> Offsets
    {
        get { lock (_offsets) { return [.. _offsets]; } }
    }

    /// <summary>Times the app had to reload its state.</summary>
    public int Reloads { get; private set; }

    /// <summary>Subscribes (the SDK waits for a connection if there is none yet) and prints until <paramref name="ct"/> fires.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var subscription = await client.SubscribeAsync(channel, ct);
        await output.WriteLineAsync($"following {channel} from offset {subscription.Offset}");
        try
        {
            await foreach (var e in subscription.ReadAllAsync(ct))
            {
                switch (e.Kind)
                {
                    case HubbubEventKind.Publication:
                        lock (_offsets)
                        {
                            _offsets.Add(e.Offset!.Value);
                        }
                        await output.WriteLineAsync($"#{e.Offset} {e.Type} {e.Data.GetRawText()}");
                        break;
                    case HubbubEventKind.ReloadRequired:
                        Reloads++;
                        await output.WriteLineAsync($"-- {channel} could not be recovered ({e.Type}); reloading recent history");
                        var history = await subscription.HistoryAsync(limit: 20, ct: ct);
                        foreach (var p in history.Publications)
                        {
                            await output.WriteLineAsync($"   history #{p.Offset} {p.Data.GetRawText()}");
                        }
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Asked to stop.
        }
    }
}
