using Hubbub.Features.Kit.Webhooks;

namespace Hubbub.Features.Tests.Webhooks;

/// <summary>The signature is the Standard Webhooks one: its published example verifies.</summary>
public sealed class WebhookSignatureTests
{
    // The example of the Standard Webhooks specification and its reference libraries.
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string MessageId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long Timestamp = 1614265330;
    private const string Body = """{"test": 2432232314}""";

    [Fact]
    public void The_specification_example_signs_and_verifies()
    {
        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", WebhookSignature.Sign(Secret, MessageId, Timestamp, Body));
        Assert.True(WebhookSignature.Verify(Secret, MessageId, Timestamp, Body, "v1,bm9ldHUh v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="));
    }

    [Fact]
    public void A_changed_body_id_timestamp_or_secret_does_not_verify()
    {
        var signature = WebhookSignature.Sign(Secret, MessageId, Timestamp, Body);
        Assert.False(WebhookSignature.Verify(Secret, MessageId, Timestamp, """{"test": 2432232315}""", signature));
        Assert.False(WebhookSignature.Verify(Secret, "msg_other", Timestamp, Body, signature));
        Assert.False(WebhookSignature.Verify(Secret, MessageId, Timestamp + 1, Body, signature));
        Assert.False(WebhookSignature.Verify(WebhookSignature.NewSecret(), MessageId, Timestamp, Body, signature));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    [InlineData("whsec_")]
    [InlineData("whsec_c2hvcnQ=")]
    [InlineData("whsec_***")]
    public void Only_whsec_secrets_of_24_to_64_bytes_are_keys(string? secret) => Assert.Null(WebhookSignature.KeyOf(secret));
}
