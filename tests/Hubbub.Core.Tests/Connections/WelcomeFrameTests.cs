using System.Text;
using Hubbub.Protocol;

namespace Hubbub.Core.Tests.Connections;

/// <summary>
/// The welcome written around its node's constant part, prepared once, is byte for byte the frame the serializer wrote
/// from a <see cref="WelcomeData"/>: the same properties in the same order, the same escaping of names, the expiry only
/// when the token has one.
/// </summary>
public sealed class WelcomeFrameTests
{
    [Theory]
    [InlineData("3f2a9c0d11e4b5a6", "alice", "Alice", null)]
    [InlineData("3f2a9c0d11e4b5a6", "alice", "Alice", 1_893_456_000L)]
    [InlineData("0000000000000000", "u|1:a@b=c,d", "Ünïcödé \"quoted\" <b>&amp;</b> 'x' + \\ \u0001 😀", 0L)]
    [InlineData("ffffffffffffffff", "u", "", -5L)]
    [InlineData("c", "a-very-long-user-id-000000000000000000000000000000000000000000000000000000000000000000000000000000",
        "Name with \u2028 line separator and \t tab", long.MaxValue)]
    public void A_welcome_is_the_bytes_the_serializer_writes_for_the_same_data(string client, string user, string name, long? expiresAt)
    {
        foreach (var (heartbeat, node, limits) in new[]
        {
            (25_000, "node-1", new WelcomeLimits(65_536, 100, 20, 40)),
            (1, "n\"<ö>", new WelcomeLimits(1, 0, 0.5, 1)),
            (int.MaxValue, "", new WelcomeLimits(int.MaxValue, int.MaxValue, 1e9, int.MaxValue)),
        })
        {
            var expected = FrameWriter.Simple(MessageTypes.Welcome, null, FrameWriter.Serialize(
                new WelcomeData(client, user, name, heartbeat, node, "1.2.3", limits) { ExpiresAt = expiresAt }, HubbubJsonContext.Default.WelcomeData));

            var written = new WelcomeFrame(heartbeat, node, "1.2.3", limits).For(client, user, name, expiresAt);

            Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(written));
            Assert.Equal(expected, written);
        }
    }
}
