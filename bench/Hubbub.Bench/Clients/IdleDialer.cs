using System.Text;
using Hubbub.Bench.Infra;

namespace Hubbub.Bench.Clients;

/// <summary>
/// Opens the idle scenario's connections <c>[first, first + count)</c>. With the raw client (<see cref="RawIdleClient"/>),
/// everything that does not depend on the server's answer (each Hubbub user's token, the upgrade head carrying it, the
/// masked <c>subscribe</c> frame) is made by <see cref="Prepare"/>, before the measured connects; Hubbub and the
/// Kestrel baseline get the same client, which for Hubbub also waits for <c>welcome</c>, and subscribes either in the
/// upgrade (<c>subscribe=</c>, answered in the welcome) or with a <c>subscribe</c> frame and its reply
/// (<see cref="BenchSettings.IdleSubscribe"/>). SignalR, and the <c>ws</c> client, go through the server's <see cref="Target"/>.
/// </summary>
public sealed class IdleDialer
{
    private static readonly byte[] Welcome = """{"type":"welcome","""u8.ToArray();
    private static readonly byte[] ReplyToFirst = """{"type":"reply","id":1,"""u8.ToArray();
    private static readonly byte[] ErrorToFirst = """{"type":"error","id":1,"""u8.ToArray();
    private static readonly byte[] Subscribed = "\"subscriptions\":{\""u8.ToArray();
    private static readonly byte[] Refused = "\"subscription_errors\""u8.ToArray();

    private readonly Target _target;
    private readonly IFrameSink _sink;
    private readonly Func<int, string> _channelOf;
    private readonly int _first;
    private readonly byte[][]? _heads;
    private readonly byte[][]? _subscribes;
    private readonly bool _hubbub;
    private readonly bool _atConnect;

    private IdleDialer(Target target, IFrameSink sink, Func<int, string> channelOf, int first, byte[][]? heads, byte[][]? subscribes,
        bool hubbub = false, bool atConnect = false)
    {
        _hubbub = hubbub;
        _atConnect = atConnect;
        _target = target;
        _sink = sink;
        _channelOf = channelOf;
        _first = first;
        _heads = heads;
        _subscribes = subscribes;
    }

    /// <summary>
    /// Makes what connections <c>[first, first + count)</c> send; <paramref name="raw"/> false keeps the target's own client.
    /// <paramref name="subscribe"/> is how raw Hubbub clients subscribe (<see cref="BenchSettings.IdleSubscribe"/>).
    /// </summary>
    public static IdleDialer Prepare(Target target, IFrameSink sink, Func<int, string> channelOf, int first, int count, bool raw,
        string subscribe = "frame")
    {
        if (!raw || target.Kind is not (ServerKind.Hubbub or ServerKind.Kestrel))
        {
            return new IdleDialer(target, sink, channelOf, first, null, null);
        }
        var port = target.Server.Port;
        if (target.Kind == ServerKind.Kestrel)
        {
            var head = RawIdleClient.UpgradeHead(port, "/ws");
            return new IdleDialer(target, sink, channelOf, first, [.. Enumerable.Repeat(head, count)], null);
        }
        var heads = new byte[count][];
        var subscribes = subscribe == "frame" ? new byte[count][] : null;
        for (var i = 0; i < count; i++)
        {
            var index = first + i;
            var query = $"/ws?access_token={Tokens.For($"b{index}")}";
            heads[i] = RawIdleClient.UpgradeHead(port, subscribe == "connect" ? $"{query}&subscribe={channelOf(index)}" : query);
            if (subscribes is not null)
            {
                subscribes[i] = RawIdleClient.TextFrame(Encoding.UTF8.GetBytes(
                    "{\"type\":\"subscribe\",\"id\":1,\"data\":{\"channel\":\"" + channelOf(index) + "\"}}"));
            }
        }
        return new IdleDialer(target, sink, channelOf, first, heads, subscribes, hubbub: true, atConnect: subscribe == "connect");
    }

    /// <summary>Opens connection <paramref name="index"/>, subscribed where the server has subscriptions.</summary>
    public async Task<IBenchConnection> ConnectAsync(int index, CancellationToken cancellationToken)
    {
        if (_heads is null)
        {
            return await _target.ConnectSubscriberAsync(index, _channelOf(index), _sink, cancellationToken);
        }
        var i = index - _first;
        if (!_hubbub)
        {
            return await RawIdleClient.ConnectAsync(_target.Server.Port, index, _heads[i], _sink, null, null, null, null, cancellationToken);
        }
        if (_atConnect)
        {
            // The welcome answers the subscription: it must carry one and no refusal.
            return await RawIdleClient.ConnectAsync(_target.Server.Port, index, _heads[i], _sink, Welcome, null, null, null, cancellationToken,
                welcomeMust: Subscribed, welcomeMustNot: Refused);
        }
        return _subscribes is null
            ? await RawIdleClient.ConnectAsync(_target.Server.Port, index, _heads[i], _sink, Welcome, null, null, null, cancellationToken)
            : await RawIdleClient.ConnectAsync(_target.Server.Port, index, _heads[i], _sink, Welcome, _subscribes[i], ReplyToFirst, ErrorToFirst,
                cancellationToken);
    }
}
