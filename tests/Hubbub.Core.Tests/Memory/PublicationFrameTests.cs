using System.Text;
using Hubbub.Core.Seams;
using Hubbub.Protocol;

namespace Hubbub.Core.Tests.Memory;

/// <summary>
/// A publication's frame is built on first use, and its length, which the history's byte bound counts when the
/// publication is kept, is known before (<see cref="FrameWriter.ChannelEventLength"/>): it must be the built frame's
/// length exactly, whatever the channel, type, sender and data; and the frame is the one the eager build wrote.
/// </summary>
public sealed class PublicationFrameTests
{
    [Theory]
    [InlineData("user:u-17", "overtaken", """{"board":"xp","by":"u-2","name":"Ada","rank":4812}""", null, null)]
    [InlineData("public:lobby", "message", "", null, null)]
    [InlineData("public:lobby", "chat.msg", "\"hi\"", "u1", "Ada Lovelace")]
    [InlineData("public:a+b", "message", "1", null, null)] // escaped by the default encoder: counted by building
    [InlineData("public:lobby", "message", "{}", "u1", "Zoë <admin> & \"co\"")]
    [InlineData("public:x", "message", "[1,2]", "u\\1", "`tick`")]
    public void The_length_known_before_the_build_is_the_frames(string channel, string type, string data, string? user, string? name)
    {
        var from = user is null ? null : new ClientInfo(user, name!);
        foreach (var offset in new long[] { 0, 1, 9, 10, 99_999, long.MaxValue })
        {
            var publication = new Publication(channel, offset, "e1", new PublicationDraft(type, Encoding.UTF8.GetBytes(data), from), 0);
            var eager = FrameWriter.ChannelEvent(type, channel, offset, Encoding.UTF8.GetBytes(data), from);
            Assert.Equal(eager.Length, publication.FrameLength);
            Assert.Equal(eager, publication.Frame);
            Assert.Same(publication.Frame, publication.Frame); // built once
        }
    }

    [Fact]
    public void The_length_is_exact_for_any_printable_or_other_characters()
    {
        var random = new Random(15);
        const string Alphabet = "abcXYZ019_-.:@ !#$%()*,/;=?[]^{|}~\"\\&'<>+`é\u0001\u007f世";
        string Text(int max) => new([.. Enumerable.Range(0, random.Next(0, max)).Select(_ => Alphabet[random.Next(Alphabet.Length)])]);
        for (var i = 0; i < 2_000; i++)
        {
            var channel = "public:" + Text(12);
            var type = "t" + Text(8);
            var from = random.Next(2) == 0 ? null : new ClientInfo(Text(10), Text(10));
            var data = Encoding.UTF8.GetBytes(random.Next(3) == 0 ? "" : $"\"{Text(20).Replace("\\", "").Replace("\"", "")}\"");
            long? offset = random.Next(4) == 0 ? null : random.NextInt64(0, long.MaxValue);
            var built = FrameWriter.ChannelEvent(type, channel, offset, data, from);
            if (FrameWriter.ChannelEventLength(type, channel, offset, data.Length, from) is { } length)
            {
                Assert.Equal(built.Length, length);
            }
            else
            {
                Assert.True(!IsPlain(type) || !IsPlain(channel) || (from is not null && (!IsPlain(from.User) || !IsPlain(from.Name))),
                    $"no length for plain text: {type} {channel} {from}");
            }
        }
    }

    private static bool IsPlain(string text) => text.All(c => c is >= ' ' and <= '~' && !"\"\\&'<>+`".Contains(c));
}
