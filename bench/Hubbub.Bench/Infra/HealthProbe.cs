using System.Diagnostics;

namespace Hubbub.Bench.Infra;

/// <summary>Waits for a Hubbub server process the bench started to answer <c>/healthz</c>.</summary>
public static class HealthProbe
{
    /// <summary>
    /// Polls <c>{baseUrl}/healthz</c> every <paramref name="interval"/> until it answers 2xx, for at most 60 s (on a
    /// machine shared with other builds a start has taken longer than 30). Fails at once when the process exits first.
    /// </summary>
    /// <param name="process">The server's process.</param>
    /// <param name="baseUrl">Where it listens, <c>http://127.0.0.1:PORT</c>.</param>
    /// <param name="name">How the server is named in errors, with where its log is (e.g. "node-2 (see node-2.log)").</param>
    /// <param name="interval">The pause between two probes.</param>
    /// <param name="cancellationToken">Ends the wait early.</param>
    public static async Task WaitUntilHealthyAsync(Process process, string baseUrl, string name, TimeSpan interval,
        CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with {process.ExitCode} before it was ready");
            }
            try
            {
                using var response = await http.GetAsync(new Uri($"{baseUrl}/healthz"), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // A slow first answer on a loaded machine; ask again.
            }
            await Task.Delay(interval, cancellationToken);
        }
        throw new TimeoutException($"{name} did not answer /healthz within 60 s");
    }
}
