using Hubbub.Features;
using Hubbub.Features.Messaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Hubbub.Messaging.Tests;

/// <summary>The feature's limits are validated: a wrong setting stops the start with a message naming it.</summary>
public sealed class MessagingOptionsTests
{
    [Fact]
    public void Defaults_are_valid_and_documented_values()
    {
        var o = new MessagingOptions();
        Assert.Empty(o.Validate());
        Assert.Equal((4000, 50, 20d, 100, 50, 100), (o.MaxMessageLength, o.MaxParticipants, o.SendsPerSecond, o.SendBurst, o.DefaultPageSize, o.MaxPageSize));
    }

    [Theory]
    [InlineData("MaxMessageLength", 0)]
    [InlineData("MaxParticipants", 1)]
    [InlineData("SendBurst", 0)]
    [InlineData("MaxPageSize", 0)]
    [InlineData("DefaultPageSize", 101)]
    [InlineData("SendsPerSecond", 0)]
    [InlineData("SendsPerSecond", -1)]
    public void Out_of_range_settings_are_named(string name, double value)
    {
        var o = new MessagingOptions();
        var property = typeof(MessagingOptions).GetProperty(name)!;
        property.SetValue(o, property.PropertyType == typeof(int) ? (object)(int)value : value);
        Assert.Contains(o.Validate(), p => p.StartsWith($"Messaging:{name} ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_bad_setting_stops_the_start_with_its_name()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Messaging:MaxMessageLength"] = "0" });
        builder.Services.AddHubbubFeatures(new MessagingFeature());
        using var host = builder.Build();
        var ex = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<MessagingOptions>>().Value);
        Assert.Contains("Messaging:MaxMessageLength must be between 1 and 1000000.", ex.Failures);
    }
}
