using CsCheck;
using Hubbub.Core;
using Hubbub.Features.Kit.Declaring;

namespace Hubbub.Features.Tests;

/// <summary>
/// The one page cursor of the lists kept newest first (rooms, auctions, courses, learners, venue activity, friends):
/// whatever it wrote it reads back, whatever it did not write is <c>bad_request</c> with one message, never a first page.
/// </summary>
public sealed class KeysetCursorTests
{
    private static readonly Gen<string> Ids = Gen.String[Gen.Char["abcXYZ019_-.:@=,|"], 1, 40];

    [Fact]
    public void Every_cursor_written_reads_back_its_time_and_id_even_when_the_id_holds_the_separator()
    {
        Gen.Select(Gen.Long[0, long.MaxValue], Ids, Gen.Char["_:."]).Sample((ms, id, separator) =>
        {
            var text = KeysetCursor.Format(ms, id, separator);
            Assert.Equal(new KeysetCursor(ms, id), KeysetCursor.Parse(text, separator, _ => true));
        });
    }

    [Fact]
    public void The_cursors_clients_already_hold_keep_their_format()
    {
        Assert.Equal("1733400000000_room_1", KeysetCursor.Format(1733400000000, "room_1", '_'));
        Assert.Equal(new KeysetCursor(1733400000000, "ada:x"), KeysetCursor.Parse("1733400000000:ada:x", ':', _ => true));
        Assert.Equal((1733400000000L, 7L), KeysetCursor.ParseNumbers("1733400000000.7", '.'));
    }

    [Fact]
    public void A_cursor_whose_id_holds_a_control_character_is_a_bad_request_whatever_the_list_takes()
    {
        // No stored id has one, and PostgreSQL text cannot hold NUL: compared there, the query would fail, not find nothing.
        foreach (var text in new[] { "5_a\u0000b", "5_\u0000", "5_a\u0001b", "5_\u007f" })
        {
            var refused = Assert.Throws<HubbubException>(() => KeysetCursor.Parse(text, '_', _ => true));
            Assert.Equal(KeysetCursor.Refusal, refused.Message);
        }
        Assert.Throws<HubbubException>(() => KeysetCursor.ParseId("a\u0000b", "after"));
        Assert.Equal("zzz", KeysetCursor.ParseId("zzz", "after")); // invented, but a place in the order
    }

    [Theory]
    [InlineData("")]
    [InlineData("_abc")]
    [InlineData("abc")]
    [InlineData("12")]
    [InlineData("-5_abc")]
    [InlineData("+5_abc")]
    [InlineData(" 5_abc")]
    [InlineData("99999999999999999999_abc")]
    [InlineData("5_")]
    [InlineData("5:abc")]
    public void A_cursor_it_did_not_write_is_a_bad_request(string text)
    {
        var refused = Assert.Throws<HubbubException>(() => KeysetCursor.Parse(text, '_', id => id.Length > 0));
        Assert.Equal(KeysetCursor.Refusal, refused.Message);
    }

    [Theory]
    [InlineData("5.")]
    [InlineData("5.x")]
    [InlineData("5.-1")]
    [InlineData("5.99999999999999999999")]
    public void A_numbered_cursor_needs_a_number_after_the_separator(string text) =>
        Assert.Throws<HubbubException>(() => KeysetCursor.ParseNumbers(text, '.'));

    [Fact]
    public void An_id_the_list_refuses_is_a_bad_request() =>
        Assert.Throws<HubbubException>(() => KeysetCursor.Parse("5_" + new string('a', 300), '_', id => id.Length <= 200));
}
