using System.Text.Json;
using Hubbub.Core.Connections;

namespace Hubbub.Core.Tests.Connections;

/// <summary>A request failing inside System.Text.Json is the client's bad field; anything else is the server's failure.</summary>
public sealed class JsonShapeErrorTests
{
    [Fact]
    public void A_value_of_the_wrong_shape_read_by_System_Text_Json_is_a_shape_error()
    {
        using var document = JsonDocument.Parse("{\"channel\":1}");
        var ex = Assert.Throws<InvalidOperationException>(() => document.RootElement.GetProperty("channel").GetString());
        Assert.True(FrameDispatcher.IsJsonShapeError(ex));
    }

    [Fact]
    public void An_exception_thrown_by_other_code_is_not()
    {
        var ex = Assert.Throws<ObjectDisposedException>(ThrowDisposed);
        Assert.False(FrameDispatcher.IsJsonShapeError(ex));
    }

    private static void ThrowDisposed() => throw new ObjectDisposedException("socket");
}
