namespace Hubbub.Redis.Tests;

public sealed class RedisOptionsTests
{
    [Fact]
    public void Defaults_with_a_connection_string_are_valid()
    {
        Assert.Empty(new RedisOptions { Configuration = "127.0.0.1:6379" }.Validate());
    }

    [Fact]
    public void Every_bad_value_is_named()
    {
        var errors = new RedisOptions { Configuration = " ", PresenceTtlSeconds = 0, StreamMetaTtlSeconds = -1, KeyPrefix = "a{b}",
            CommandTimeoutMs = 0 }.Validate();

        Assert.Equal(5, errors.Count);
        Assert.Contains(errors, e => e.Contains("ConnectionStrings:Redis", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("PresenceTtlSeconds", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("StreamMetaTtlSeconds", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("KeyPrefix", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("CommandTimeoutMs", StringComparison.Ordinal));
    }
}
