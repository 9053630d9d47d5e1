namespace Hubbub.Client.Tests.Infrastructure;

public static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until true or the deadline passes (for state with no event to await).</summary>
    public static async Task TrueAsync(Func<bool> condition, string what, int timeoutSeconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for: {what}");
            }
            await Task.Delay(10);
        }
    }

    /// <summary>Reads events from a subscription until <paramref name="count"/> matched or the deadline passes.</summary>
    public static async Task<List<HubbubEvent>> ReadAsync(HubbubSubscription subscription, int count, Func<HubbubEvent, bool>? filter = null, int timeoutSeconds = 15)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        var got = new List<HubbubEvent>();
        try
        {
            await foreach (var e in subscription.ReadAllAsync(cts.Token))
            {
                if (filter is null || filter(e))
                {
                    got.Add(e);
                    if (got.Count == count)
                    {
                        return got;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        throw new TimeoutException($"got {got.Count} of {count} events on {subscription.Channel}: {string.Join(", ", got.Select(e => $"{e.Kind}:{e.Type}:{e.Offset}"))}");
    }
}
