using System.Text.Json;
using Hubbub.Protocol;

namespace Hubbub.Client;

/// <summary>
/// A request waiting in the offline queue or for its reply. Every way it can end (reply, error, lost
/// connection, timeout, cancellation, overflow, stop) goes through the Try* methods, so it ends exactly once.
/// </summary>
internal sealed class PendingRequest(long id, string type, string? channel, byte[] frame)
{
    private readonly TaskCompletionSource<JsonElement> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long Id { get; } = id;
    public string Type { get; } = type;
    public string? Channel { get; } = channel;
    public byte[] Frame { get; } = frame;

    /// <summary>Runs on the reader loop before the caller resumes, so state (e.g. a subscription's position) is set before the next frame.</summary>
    public Action<JsonElement>? OnReply { get; init; }

    /// <summary>Runs on the reader loop when the server answers with an error.</summary>
    public Action<HubbubRequestException>? OnError { get; init; }

    /// <summary>True for subscribe requests sent by the client itself to restore a subscription: a lost connection does not fail them, the next one retries.</summary>
    public bool Restorable { get; init; }

    /// <summary>The session the frame was written to; null while queued.</summary>
    public Session? SentOn { get; set; }

    /// <summary>The reply timer, started when the frame is written.</summary>
    public ITimer? Timer { get; set; }

    public CancellationTokenRegistration Cancellation { get; set; }

    public Task<JsonElement> Task => _completion.Task;

    public void Reply(JsonElement data)
    {
        Cleanup();
        OnReply?.Invoke(data);
        _completion.TrySetResult(data);
    }

    public void Error(ErrorData error, string? reason)
    {
        Cleanup();
        var exception = new HubbubRequestException(error.Code, error.Message, Type) { Reason = reason };
        OnError?.Invoke(exception);
        _completion.TrySetException(exception);
        if (Restorable)
        {
            _ = _completion.Task.Exception; // nobody awaits a restore; the subscription carries the error
        }
    }

    public void Fail(Exception exception)
    {
        Cleanup();
        _completion.TrySetException(exception);
    }

    public void Cancel(CancellationToken ct)
    {
        Cleanup();
        _completion.TrySetCanceled(ct);
    }

    /// <summary>Stops the reply timer without completing: a restorable request is simply redone on the next connection.</summary>
    public void Detach() => Cleanup();

    private void Cleanup()
    {
        Timer?.Dispose();
        Cancellation.Unregister();
    }
}
