using System.Net;
using Microsoft.Extensions.Options;

namespace Hubbub.Server.Access;

/// <summary>What a proxy call came back with: a status and a body no larger than the limit, or why there is none.</summary>
/// <param name="Status">The HTTP status, when the backend answered in time.</param>
/// <param name="Body">The body (at most <see cref="ProxyOptions.MaxResponseBytes"/>), when it answered.</param>
/// <param name="Failure">One of <see cref="ProxyFailure"/>'s reasons, when it did not answer usably.</param>
internal readonly record struct ProxyAnswer(HttpStatusCode Status, byte[] Body, string? Failure);

/// <summary>
/// Posts JSON to the app's backend through <see cref="IHttpClientFactory"/>, bounded in time
/// (<see cref="ProxyOptions.TimeoutMs"/>, the body's reading included) and in size (<see cref="ProxyOptions.MaxResponseBytes"/>).
/// </summary>
internal sealed class ProxyCaller(IHttpClientFactory clients, IOptions<ProxyOptions> options, ILogger<ProxyCaller> logger)
{
    /// <summary>The named client the proxies use.</summary>
    public const string ClientName = "hubbub-proxy";

    /// <summary>Posts <paramref name="json"/> to <paramref name="url"/> with <paramref name="headers"/>; never throws for the backend's failures.</summary>
    public async Task<ProxyAnswer> PostAsync(string kind, Uri url, byte[] json, IEnumerable<KeyValuePair<string, string>> headers,
        CancellationToken cancellationToken)
    {
        var o = options.Value;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromMilliseconds(o.TimeoutMs));
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new ByteArrayContent(json) { Headers = { ContentType = new("application/json") } },
        };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        try
        {
            using var response = await clients.CreateClient(ClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var body = await ReadBoundedAsync(response.Content, o.MaxResponseBytes, deadline.Token);
            if (body is null)
            {
                return Fail(kind, url, ProxyFailure.BadAnswer, $"the answer is larger than {o.MaxResponseBytes} bytes");
            }
            return new ProxyAnswer(response.StatusCode, body, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Fail(kind, url, ProxyFailure.Timeout, $"no answer within {o.TimeoutMs} ms");
        }
        catch (HttpRequestException ex)
        {
            return Fail(kind, url, ProxyFailure.Unavailable, ex.HttpRequestError.ToString());
        }
        catch (IOException ex)
        {
            return Fail(kind, url, ProxyFailure.Unavailable, ex.Message);
        }
    }

    private ProxyAnswer Fail(string kind, Uri url, string reason, string detail)
    {
        // The URL without its query: a backend may put a secret there.
        Log.ProxyFailed(logger, kind, url.GetLeftPart(UriPartial.Path), reason, detail);
        return new ProxyAnswer(0, [], reason);
    }

    /// <summary>The body, or null when it is longer than <paramref name="max"/> (read no further than one byte past it).</summary>
    private static async Task<byte[]?> ReadBoundedAsync(HttpContent content, int max, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > max)
        {
            return null;
        }
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[Math.Min(max + 1, 4096)];
        using var body = new MemoryStream();
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            body.Write(buffer, 0, read);
            if (body.Length > max)
            {
                return null;
            }
        }
        return body.ToArray();
    }
}
