using Hubbub.Client.Tests.Infrastructure;

namespace Hubbub.Client.Tests;

public sealed class ReconnectPolicyTests
{
    private static HubbubClientOptions Options(double random, int threshold = 10) => new()
    {
        Url = new Uri("ws://127.0.0.1:1/ws"),
        Token = "t",
        ReconnectBaseDelay = TimeSpan.FromMilliseconds(500),
        Random = new FixedRandom(random),
        CircuitBreakerThreshold = threshold,
    };

    [Fact]
    public void Backoff_doubles_from_the_base_and_is_scaled_by_full_jitter()
    {
        var policy = new ReconnectPolicy(Options(0.5));
        Assert.Equal(TimeSpan.FromMilliseconds(250), policy.Failed().Delay);
        Assert.Equal(TimeSpan.FromMilliseconds(500), policy.Failed().Delay);
        Assert.Equal(TimeSpan.FromMilliseconds(1000), policy.Failed().Delay);
        Assert.Equal(TimeSpan.FromMilliseconds(2000), policy.Failed().Delay);
    }

    [Fact]
    public void Backoff_is_capped_at_30_seconds_by_default_and_jitter_can_reach_zero()
    {
        var top = new ReconnectPolicy(Options(0.999999));
        Assert.Equal(TimeSpan.FromSeconds(30), new HubbubClientOptions().ReconnectMaxDelay);
        Assert.True(top.Backoff(9) <= TimeSpan.FromSeconds(30));
        Assert.True(top.Backoff(9) > TimeSpan.FromSeconds(29.9));
        Assert.True(top.Backoff(1000) <= TimeSpan.FromSeconds(30));
        Assert.Equal(TimeSpan.Zero, new ReconnectPolicy(Options(0)).Backoff(5));
    }

    [Fact]
    public void Circuit_opens_at_the_threshold_with_the_cool_down_and_success_resets_it()
    {
        var options = Options(0.5, threshold: 3);
        var policy = new ReconnectPolicy(options);
        Assert.False(policy.Failed().CircuitOpen);
        Assert.False(policy.Failed().CircuitOpen);
        var third = policy.Failed();
        Assert.True(third.CircuitOpen);
        Assert.Equal(options.CircuitBreakerCooldown, third.Delay);
        Assert.True(policy.Failed().CircuitOpen); // the trial after the cool-down failed: open again
        policy.Succeeded();
        Assert.Equal(0, policy.Failures);
        Assert.False(policy.Failed().CircuitOpen);
    }

    [Fact]
    public void Options_are_validated_with_the_setting_named()
    {
        Assert.Contains("Url", Assert.Throws<ArgumentException>(() => new HubbubClient(new HubbubClientOptions { Token = "t" })).Message);
        Assert.Contains("Token", Assert.Throws<ArgumentException>(() => new HubbubClient(new HubbubClientOptions { Url = new("ws://127.0.0.1:1/ws") })).Message);
        Assert.Throws<ArgumentException>(() => new HubbubClient(new HubbubClientOptions { Url = new("ftp://x/ws"), Token = "t" }));
        Assert.Throws<ArgumentException>(() => new HubbubClient(new HubbubClientOptions { Url = new("ws://127.0.0.1:1/ws"), Token = "t", HeartbeatMultiplier = 0.5 }));
        Assert.Throws<ArgumentException>(() => new HubbubClient(new HubbubClientOptions { Url = new("ws://127.0.0.1:1/ws"), Token = "t", CircuitBreakerThreshold = 0 }));
        Assert.Throws<ArgumentException>(() => new HubbubClient(new HubbubClientOptions { Url = new("ws://127.0.0.1:1/ws"), Token = "t", ReconnectMaxDelay = TimeSpan.FromMilliseconds(1) }));
        Assert.Throws<ArgumentException>(() => new HubbubClient(new HubbubClientOptions { Url = new("ws://127.0.0.1:1/ws"), Token = "t", OfflineQueueCapacity = -1 }));
    }
}
