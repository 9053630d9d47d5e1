using Hubbub.Core.Channels;

namespace Hubbub.Core.Tests.Channels;

public sealed class ChannelRulesTests
{
    private readonly ChannelRules _rules = new();
    private static readonly HubbubUser Ada = new("42", "Ada", []);
    private static readonly HubbubUser Admin = new("1", "Root", ["admin"]);

    private static ChannelName Name(string value)
    {
        Assert.True(ChannelName.TryParse(value, 200, out var name, out _));
        return name;
    }

    [Fact]
    public async Task Public_is_open_to_every_signed_in_user()
    {
        Assert.True(await _rules.CanSubscribeAsync(Ada, Name("public:lobby"), default));
        Assert.True(await _rules.CanPublishAsync(Ada, Name("public:lobby"), default));
    }

    [Fact]
    public async Task User_channel_is_for_its_owner_and_only_the_server_publishes()
    {
        Assert.True(await _rules.CanSubscribeAsync(Ada, Name("user:42"), default));
        Assert.False(await _rules.CanSubscribeAsync(Ada, Name("user:43"), default));
        Assert.False(await _rules.CanPublishAsync(Ada, Name("user:42"), default));
    }

    [Fact]
    public async Task Unknown_namespace_is_refused_even_to_admins()
    {
        Assert.False(await _rules.CanSubscribeAsync(Ada, Name("secret:x"), default));
        Assert.False(await _rules.CanSubscribeAsync(Admin, Name("secret:x"), default));
    }

    [Fact]
    public async Task Admin_passes_every_declared_rule()
    {
        Assert.True(await _rules.CanSubscribeAsync(Admin, Name("user:43"), default));
        Assert.True(await _rules.CanPublishAsync(Admin, Name("user:43"), default));
    }

    [Fact]
    public async Task Features_declare_their_own_namespaces_once()
    {
        var members = new HashSet<string> { "42" };
        _rules.Add(new ChannelNamespace("auction",
            ChannelNamespace.Anyone,
            ChannelNamespace.Nobody));
        _rules.Add(new ChannelNamespace("room",
            (access, _) => ValueTask.FromResult(members.Contains(access.User.Id)),
            (access, _) => ValueTask.FromResult(members.Contains(access.User.Id))));
        Assert.True(await _rules.CanSubscribeAsync(Ada, Name("auction:7"), default));
        Assert.False(await _rules.CanPublishAsync(Ada, Name("auction:7"), default));
        Assert.True(await _rules.CanPublishAsync(Ada, Name("room:study"), default));
        Assert.False(await _rules.CanSubscribeAsync(new HubbubUser("9", "Eve", []), Name("room:study"), default));
        Assert.Throws<InvalidOperationException>(() => _rules.Add(new ChannelNamespace("room", ChannelNamespace.Anyone, ChannelNamespace.Anyone)));
    }

    [Fact]
    public async Task An_unknown_id_is_not_found_and_then_admins_pass_every_refusal()
    {
        var things = new HashSet<string> { "known" };
        ChannelExists exists = (channel, _) => ValueTask.FromResult(things.Contains(channel.Name));
        _rules.Add(new ChannelNamespace("thing",
            (access, _) => ValueTask.FromResult(access.User.Id == "42"),
            (_, _) => throw HubbubException.Forbidden("only the server publishes"), exists: exists));
        Assert.True(await _rules.CanSubscribeAsync(Ada, Name("thing:known"), default));
        Assert.False(await _rules.CanSubscribeAsync(new HubbubUser("9", "Eve", []), Name("thing:known"), default));
        Assert.True(await _rules.CanSubscribeAsync(Admin, Name("thing:known"), default));
        Assert.True(await _rules.CanPublishAsync(Admin, Name("thing:known"), default));
        foreach (var user in new[] { Ada, Admin })
        {
            var unknown = await Assert.ThrowsAsync<HubbubException>(async () => await _rules.CanSubscribeAsync(user, Name("thing:nope"), default));
            Assert.Equal("not_found", unknown.Code);
        }
        // A client publish is refused or allowed by the publish rule alone: existence is a subscriber's question.
        var publish = await Assert.ThrowsAsync<HubbubException>(async () => await _rules.CanPublishAsync(Ada, Name("thing:nope"), default));
        Assert.Equal("forbidden", publish.Code);

        // Where existence is private, only an admin learns that an id is unknown; anyone else gets the rule's refusal.
        _rules.Add(new ChannelNamespace("club",
            (access, _) => ValueTask.FromResult(access.User.Id == "42" && things.Contains(access.Channel.Name)),
            ChannelNamespace.Nobody, exists: exists, existenceIsPrivate: true));
        Assert.True(await _rules.CanSubscribeAsync(Ada, Name("club:known"), default));
        Assert.False(await _rules.CanSubscribeAsync(Ada, Name("club:nope"), default));
        Assert.True(await _rules.CanSubscribeAsync(Admin, Name("club:known"), default));
        var hidden = await Assert.ThrowsAsync<HubbubException>(async () => await _rules.CanSubscribeAsync(Admin, Name("club:nope"), default));
        Assert.Equal("not_found", hidden.Code);

        // A namespace without an existence check (one that asks the app's backend) is not asked about admins at all.
        _rules.Add(new ChannelNamespace("backend",
            (_, _) => throw new HubbubException("internal", "the app's authorization backend is unavailable"), ChannelNamespace.Nobody));
        Assert.True(await _rules.CanSubscribeAsync(Admin, Name("backend:x"), default));
    }

    [Fact]
    public async Task Typing_and_cursors_go_only_where_the_namespace_lets_clients_signal()
    {
        _rules.Add(new ChannelNamespace("board", ChannelNamespace.Anyone, ChannelNamespace.Nobody, presence: false, typingAndCursors: false));
        // A subscriber of a channel only the server speaks on may not relay a payload to the others, subscribed or not,
        // an admin neither (typing on a scoreboard says nothing).
        foreach (var subscribed in new[] { false, true })
        {
            Assert.True(await _rules.CanSubscribeAsync(Ada, Name("board:weekly"), subscribed, default));
            Assert.False(await _rules.CanSignalAsync(new ChannelAccess(Ada, Name("board:weekly")), subscribed, default));
            Assert.False(await _rules.CanSignalAsync(new ChannelAccess(Admin, Name("board:weekly")), subscribed, default));
        }
        // The core's user channel is the server's too; public channels and namespaces by default let subscribers signal.
        Assert.False(await _rules.CanSignalAsync(new ChannelAccess(Ada, Name("user:42")), subscribed: false, default));
        Assert.True(await _rules.CanSignalAsync(new ChannelAccess(Ada, Name("public:lobby")), subscribed: false, default));
        _rules.Add(new ChannelNamespace("team", (access, _) => ValueTask.FromResult(access.User.Id == "42"), ChannelNamespace.Nobody));
        Assert.True(await _rules.CanSignalAsync(new ChannelAccess(Ada, Name("team:a")), subscribed: false, default));
        Assert.False(await _rules.CanSignalAsync(new ChannelAccess(new HubbubUser("9", "Eve", []), Name("team:a")), subscribed: false, default));
    }
}
