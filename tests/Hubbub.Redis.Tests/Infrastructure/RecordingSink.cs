using Hubbub.Core.Seams;

namespace Hubbub.Redis.Tests.Infrastructure;

/// <summary>A broker sink that records what a node received, and lets a test await it with a deadline.</summary>
public sealed class RecordingSink : IBrokerSink
{
    private readonly Lock _gate = new();
    private readonly List<Publication> _publications = [];
    private readonly List<(string Channel, EphemeralEvent Event)> _ephemeral = [];
    private readonly List<(string Channel, StreamTop Position)> _resets = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Publications received, in arrival order.</summary>
    public IReadOnlyList<Publication> Publications
    {
        get
        {
            lock (_gate)
            {
                return [.. _publications];
            }
        }
    }

    /// <summary>Ephemeral events received, in arrival order.</summary>
    public IReadOnlyList<(string Channel, EphemeralEvent Event)> Ephemeral
    {
        get
        {
            lock (_gate)
            {
                return [.. _ephemeral];
            }
        }
    }

    /// <summary>Stream resets received, in arrival order.</summary>
    public IReadOnlyList<(string Channel, StreamTop Position)> Resets
    {
        get
        {
            lock (_gate)
            {
                return [.. _resets];
            }
        }
    }

    /// <inheritdoc />
    public void OnStreamReset(string channel, StreamTop position)
    {
        lock (_gate)
        {
            _resets.Add((channel, position));
            Signal();
        }
    }

    /// <inheritdoc />
    public void OnPublication(Publication publication)
    {
        lock (_gate)
        {
            _publications.Add(publication);
            Signal();
        }
    }

    /// <inheritdoc />
    public void OnEphemeral(string channel, EphemeralEvent ephemeral)
    {
        lock (_gate)
        {
            _ephemeral.Add((channel, ephemeral));
            Signal();
        }
    }

    /// <summary>The publications of one channel, once there are at least <paramref name="count"/> (bounded wait).</summary>
    public Task<IReadOnlyList<Publication>> WaitForAsync(string channel, int count) =>
        WaitUntilAsync(() =>
        {
            var list = Publications.Where(p => p.Channel == channel).ToList();
            return list.Count >= count ? list : null;
        });

    /// <summary>The ephemeral events of one channel, once there are at least <paramref name="count"/> (bounded wait).</summary>
    public Task<IReadOnlyList<EphemeralEvent>> WaitForEphemeralAsync(string channel, int count) =>
        WaitUntilAsync(() =>
        {
            var list = Ephemeral.Where(e => e.Channel == channel).Select(e => e.Event).ToList();
            return list.Count >= count ? list : null;
        });

    private async Task<IReadOnlyList<T>> WaitUntilAsync<T>(Func<List<T>?> probe)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }
            if (probe() is { } result)
            {
                return result;
            }
            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"the sink did not receive what was expected within 10 s (it holds {Publications.Count} publications, {Ephemeral.Count} events)");
            }
        }
    }

    private void Signal()
    {
        var previous = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        previous.TrySetResult();
    }
}
