using Hubbub.Core.Channels;

namespace Hubbub.Core.Tests.Channels;

public sealed class ChannelNameTests
{
    [Theory]
    [InlineData("public:lobby", "public", "lobby")]
    [InlineData("user:42", "user", "42")]
    [InlineData("conversation:a-b_c.d", "conversation", "a-b_c.d")]
    [InlineData("room:x:y@z=1,2", "room", "x:y@z=1,2")]
    [InlineData("user:auth0|5f7c", "user", "auth0|5f7c")]
    public void Valid_names_split_into_namespace_and_name(string value, string ns, string name)
    {
        Assert.True(ChannelName.TryParse(value, 200, out var channel, out _));
        Assert.Equal(ns, channel.Namespace);
        Assert.Equal(name, channel.Name);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("lobby")]
    [InlineData(":lobby")]
    [InlineData("public:")]
    [InlineData("Public:lobby")]
    [InlineData("public:lob by")]
    [InlineData("public:<script>")]
    [InlineData("public:caf\u00e9")]
    [InlineData("pub/lic:x")]
    public void Invalid_names_are_refused_with_a_reason(string? value)
    {
        Assert.False(ChannelName.TryParse(value, 200, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Length_is_capped()
    {
        Assert.True(ChannelName.TryParse("public:" + new string('a', 13), 20, out _, out _));
        Assert.False(ChannelName.TryParse("public:" + new string('a', 14), 20, out _, out _));
    }
}
