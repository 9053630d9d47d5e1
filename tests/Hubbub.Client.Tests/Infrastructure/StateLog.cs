using System.Threading.Channels;

namespace Hubbub.Client.Tests.Infrastructure;

/// <summary>Records a client's state changes so a test can await the next one (with a deadline) instead of sleeping.</summary>
public sealed class StateLog
{
    private readonly Channel<ConnectionStateChangedEventArgs> _events = Channel.CreateUnbounded<ConnectionStateChangedEventArgs>();
    private readonly List<ConnectionStateChangedEventArgs> _all = [];

    public StateLog(HubbubClient client) => client.StateChanged += (_, e) =>
    {
        lock (_all)
        {
            _all.Add(e);
        }
        _events.Writer.TryWrite(e);
    };

    public IReadOnlyList<ConnectionStateChangedEventArgs> All
    {
        get { lock (_all) { return [.. _all]; } }
    }

    /// <summary>Waits for the next change whose state is <paramref name="state"/>, skipping others.</summary>
    public Task<ConnectionStateChangedEventArgs> NextAsync(ConnectionState state, int timeoutSeconds = 15) =>
        NextAsync(state, _ => true, timeoutSeconds);

    /// <summary>Waits for the next change in <paramref name="state"/> that matches <paramref name="match"/>.</summary>
    public async Task<ConnectionStateChangedEventArgs> NextAsync(ConnectionState state, Func<ConnectionStateChangedEventArgs, bool> match, int timeoutSeconds = 15)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            while (true)
            {
                var e = await _events.Reader.ReadAsync(cts.Token);
                if (e.State == state && match(e))
                {
                    return e;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no {state} within {timeoutSeconds} s; saw: {string.Join(" | ", All)}");
        }
    }

    /// <summary>The next change, whatever it is.</summary>
    public async Task<ConnectionStateChangedEventArgs> NextAsync(int timeoutSeconds = 15)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            return await _events.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no state change within {timeoutSeconds} s; saw: {string.Join(" | ", All)}");
        }
    }

    /// <summary>True when a change is already waiting (used right after advancing a fake clock).</summary>
    public bool HasPending => _events.Reader.Count > 0;
}
