using System.Text;
using System.Text.Json;
using Hubbub.Bench.Clients;

namespace Hubbub.Bench.Chaos;

/// <summary>
/// One user's command connection that survives faults as an app's client would: a request that gets no answer
/// within <see cref="AnswerBound"/> or whose connection drops is abandoned, the connection is replaced (its home
/// node first, then the others), and the caller retries the same request (same <c>client_id</c>).
/// </summary>
internal sealed class ChaosSession(IReadOnlyList<ChaosNode> nodes, string user, int home) : IAsyncDisposable
{
    /// <summary>How long one attempt waits for its answer (the protocol promises one within 5 s).</summary>
    public static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(6);

    private HubbubCommandClient? _client;

    /// <summary>The user.</summary>
    public string User => user;

    /// <summary>Connections replaced after a failure.</summary>
    public int Reconnects { get; private set; }

    /// <summary>
    /// One attempt: sends the command and returns its answer, or null when the attempt failed in transit (no
    /// connection, no answer in time, connection lost); the outcome of a failed attempt is unknown.
    /// </summary>
    public async Task<Answer?> TryAsync(string type, string dataJson, CancellationToken cancellationToken)
    {
        try
        {
            var client = _client ??= await ConnectAsync(cancellationToken);
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bound.CancelAfter(AnswerBound);
            var frame = await client.RequestAsync(type, dataJson, bound.Token);
            return Answer.Parse(frame);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or TimeoutException or System.Net.WebSockets.WebSocketException
                                   or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            await DropAsync();
            return null;
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => DropAsync();

    private async ValueTask DropAsync()
    {
        if (_client is { } client)
        {
            _client = null;
            Reconnects++;
            await client.DisposeAsync();
        }
    }

    private async Task<HubbubCommandClient> ConnectAsync(CancellationToken cancellationToken)
    {
        // Home first, so a restarted node gets its users back; then the others in turn.
        Exception? last = null;
        for (var i = 0; i < nodes.Count; i++)
        {
            var node = nodes[(home + i) % nodes.Count];
            try
            {
                return new HubbubCommandClient(await ChaosConnect.ConnectAsync(node, user, cancellationToken));
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or System.Net.WebSockets.WebSocketException
                                       or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                last = ex;
            }
        }
        throw new IOException("no node accepted the connection", last);
    }

    /// <summary>A reply or an error frame, parsed.</summary>
    /// <param name="Ok">A reply.</param>
    /// <param name="Code">The error's code.</param>
    /// <param name="Reason">The error's reason, when it has one.</param>
    /// <param name="Data">The reply's or error's data.</param>
    /// <param name="Raw">The frame as text.</param>
    public sealed record Answer(bool Ok, string? Code, string? Reason, JsonElement Data, string Raw)
    {
        /// <summary>Whether the error says the request may succeed later (the server or a dependency is unwell).</summary>
        public bool Transient => !Ok && Code is not ("bad_request" or "forbidden" or "not_found" or "conflict" or "unauthorized" or "too_large");

        /// <summary>Parses a reply or error frame.</summary>
        public static Answer Parse(byte[] frame)
        {
            using var json = JsonDocument.Parse(frame);
            var root = json.RootElement;
            var ok = root.GetProperty("type").GetString() == "reply";
            var data = root.TryGetProperty("data", out var d) ? d.Clone() : default;
            string? code = null, reason = null;
            if (!ok && data.ValueKind == JsonValueKind.Object)
            {
                code = data.TryGetProperty("code", out var c) ? c.GetString() : null;
                reason = data.TryGetProperty("reason", out var r) ? r.GetString() : null;
            }
            return new Answer(ok, code, reason, data, Encoding.UTF8.GetString(frame));
        }
    }
}
