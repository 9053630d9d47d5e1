namespace Hubbub.Core.Tests.Connections;

/// <summary>The send queue's, the history reply's and the recovery's byte bounds: defaults, and the rules between them.</summary>
public sealed class SendBoundsOptionsTests
{
    [Fact]
    public void The_defaults_are_valid_and_bound_a_queue_at_8_MiB_and_a_history_reply_at_1_MiB()
    {
        var options = new HubbubOptions();
        Assert.Empty(options.Validate());
        Assert.Equal(8 * 1024 * 1024, options.SendQueueMaxBytes);
        Assert.Equal(1024 * 1024, options.MaxHistoryReplyBytes);
        Assert.Equal(4 * 1024 * 1024, options.MaxRecoveryBytes);
    }

    [Fact]
    public void A_recovery_budget_that_does_not_fit_the_send_queue_is_refused()
    {
        var errors = new HubbubOptions { MaxRecoveryBytes = 8 * 1024 * 1024 }.Validate();
        Assert.Contains(errors, e => e.Contains("MaxRecoveryBytes", StringComparison.Ordinal));
        Assert.NotEmpty(new HubbubOptions { MaxRecoveryBytes = 0 }.Validate());
    }

    [Fact]
    public void A_history_reply_budget_that_does_not_fit_the_send_queue_is_refused()
    {
        var errors = new HubbubOptions { SendQueueMaxBytes = 1024 * 1024, MaxHistoryReplyBytes = 1024 * 1024 }.Validate();
        Assert.Contains(errors, e => e.Contains("MaxHistoryReplyBytes", StringComparison.Ordinal));
        Assert.NotEmpty(new HubbubOptions { SendQueueMaxBytes = 0 }.Validate());
        Assert.NotEmpty(new HubbubOptions { MaxHistoryReplyBytes = 0 }.Validate());
    }
}
