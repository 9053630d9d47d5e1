using Hubbub.Server.Tests.Infrastructure;

namespace Hubbub.Server.Tests.Realtime;

/// <summary>PROTOCOL: cross-site WebSocket hijacking is refused with 403.</summary>
public sealed class OriginTests : IDisposable
{
    private readonly TestServer _server = new(new() { ["Auth:AllowedOrigins:0"] = "https://app.example.com" });

    public void Dispose() => _server.Dispose();

    private Uri Uri => _server.WebSocketUri(TestTokens.For("o1"));

    [Fact]
    public async Task Foreign_origin_is_refused_with_403_even_with_a_valid_token()
    {
        Assert.Equal(403, await WsClient.HandshakeStatusAsync(Uri, origin: "https://evil.example"));
        Assert.Equal(403, await WsClient.HandshakeStatusAsync(Uri, origin: "null"));
        Assert.Equal(403, await WsClient.HandshakeStatusAsync(Uri, origin: "https://app.example.com.evil.example"));
    }

    [Fact]
    public async Task Own_origin_listed_origin_and_no_origin_are_accepted()
    {
        var own = $"http://{_server.BaseAddress.Authority}";
        Assert.Equal(0, await WsClient.HandshakeStatusAsync(Uri, origin: own));
        Assert.Equal(0, await WsClient.HandshakeStatusAsync(Uri, origin: "https://app.example.com"));
        Assert.Equal(0, await WsClient.HandshakeStatusAsync(Uri));
    }

    [Fact]
    public async Task Same_host_on_another_port_is_a_different_origin()
    {
        var otherPort = $"http://{_server.BaseAddress.Host}:{_server.BaseAddress.Port + 1}";
        Assert.Equal(403, await WsClient.HandshakeStatusAsync(Uri, origin: otherPort));
    }
}
