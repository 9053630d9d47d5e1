using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Hubbub.Storage;
using Microsoft.Extensions.Options;

namespace Hubbub.Features.Kit.Webhooks;

/// <summary>
/// Sends recorded deliveries. Each node claims due deliveries with a lease in the database (one node at a time sends
/// each one), POSTs them signed (<see cref="WebhookSignature"/>) with a timeout per attempt, up to
/// <see cref="WebhooksOptions.Concurrency"/> at once, and records the outcome only while its claim holds: a 2xx answer
/// makes the delivery delivered; anything else (another status, a timeout, a refused connection) schedules the next
/// attempt with exponential backoff, or makes it dead after <see cref="WebhooksOptions.MaxAttempts"/>. A node that dies
/// mid-attempt leaves the delivery to any node once the lease expires (an attempt that counts as failed). Woken at
/// once by a commit on this node that recorded deliveries; otherwise polls every <see cref="KitOptions.PollMs"/>.
/// </summary>
internal sealed class WebhookSender(IDatabase database, KitSignals signals, IOptions<WebhooksOptions> options, IOptions<KitOptions> kit,
    TimeProvider time, ILogger<WebhookSender> logger) : KitLoop(kit.Value, time, logger, "Webhooks", signals.Webhooks)
{
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(10);

    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        // Redirects are not followed: the registered URL is where events go, and a 3xx is a failed attempt.
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        UseCookies = false,
    })
    { Timeout = Timeout.InfiniteTimeSpan };

    private long _prunedAtMs;

    private WebhooksOptions Options => options.Value;

    /// <summary>How long a claim lasts: one attempt's timeout plus the kit's lease as margin.</summary>
    private long LeaseMs => Options.TimeoutMs + kit.Value.LeaseMs;

    /// <inheritdoc />
    protected override async Task<long?> SweepAsync(CancellationToken cancellationToken)
    {
        var batchSize = Options.Concurrency * 4;
        while (true)
        {
            var now = Time.GetUtcNow().ToUnixTimeMilliseconds();
            var claim = Guid.NewGuid().ToString("N");
            var batch = await WebhookStore.ClaimAsync(database, claim, now, now + LeaseMs, batchSize, cancellationToken);
            await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = Options.Concurrency, CancellationToken = cancellationToken },
                (delivery, ct) => new ValueTask(AttemptAsync(delivery, claim, ct)));
            if (batch.Count < batchSize)
            {
                break;
            }
        }
        await PruneAsync(cancellationToken);
        var state = await WebhookStore.StateAsync(database, cancellationToken);
        WebhookMetrics.Pending.Set(state.Pending);
        WebhookMetrics.Dead.Set(state.Dead);
        return state.NextMs;
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    private async Task AttemptAsync(WebhookStore.ClaimedDelivery delivery, string claim, CancellationToken ct)
    {
        var (status, error) = await PostAsync(delivery, ct);
        var now = Time.GetUtcNow().ToUnixTimeMilliseconds();
        if (error is null)
        {
            WebhookMetrics.Attempts.WithLabels("delivered").Inc();
            if (!await WebhookStore.DeliveredAsync(database, delivery.Id, claim, status!.Value, now, CancellationToken.None))
            {
                WebhookLog.ClaimLost(logger, delivery.Id);
            }
            return;
        }
        var attempts = (int)delivery.Attempts + 1;
        var dead = attempts >= Options.MaxAttempts;
        var delay = (long)Options.RetryDelay(attempts).TotalMilliseconds;
        if (dead)
        {
            WebhookLog.Dead(logger, delivery.Id, delivery.EventId, delivery.EventType, delivery.EndpointId, attempts, error);
        }
        else
        {
            WebhookLog.AttemptFailed(logger, delivery.Id, delivery.EventId, delivery.EventType, delivery.EndpointId, attempts, error, delay);
        }
        WebhookMetrics.Attempts.WithLabels(dead ? "dead" : "failed").Inc();
        await WebhookStore.FailedAsync(database, delivery.Id, claim, dead, now + delay, status, error, now, CancellationToken.None);
        Wakeup.Signal(); // the loop then sleeps until the earliest retry
    }

    /// <summary>One signed POST; the answer's status, and why it failed (null when it was 2xx).</summary>
    private async Task<(int? Status, string? Error)> PostAsync(WebhookStore.ClaimedDelivery delivery, CancellationToken ct)
    {
        var messageId = WebhookFormat.Id(delivery.EventId);
        var timestamp = Time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url)
        {
            Content = new StringContent(delivery.Body, Encoding.UTF8, "application/json"),
        };
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Hubbub-Webhooks", "1"));
        request.Headers.Add(WebhookSignature.IdHeader, messageId);
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(delivery.Secret, messageId, timestamp, delivery.Body));
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        attempt.CancelAfter(Options.TimeoutMs);
        try
        {
            // Only the status counts: the answer's body is not read (a receiver must not stall the sender with it).
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt.Token);
            var status = (int)response.StatusCode;
            return response.IsSuccessStatusCode ? (status, null) : (status, $"HTTP {status}");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, $"no answer within {Options.TimeoutMs} ms");
        }
        catch (HttpRequestException ex)
        {
            return (null, ex.Message);
        }
#pragma warning disable CA1031 // Anything else an attempt throws is a failed attempt too: counted and retried, never a sweep that fails forever.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            return (null, ex.GetType().Name + ": " + ex.Message);
        }
    }

    private async Task PruneAsync(CancellationToken ct)
    {
        var now = Time.GetUtcNow().ToUnixTimeMilliseconds();
        if (now - _prunedAtMs < PruneEvery.TotalMilliseconds)
        {
            return;
        }
        _prunedAtMs = now;
        await WebhookStore.PruneAsync(database, now - (long)TimeSpan.FromHours(Options.DeliveredRetentionHours).TotalMilliseconds, ct);
    }
}
