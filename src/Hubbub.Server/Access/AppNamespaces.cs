using Hubbub.Core;
using Hubbub.Core.Channels;
using Hubbub.Storage;
using Microsoft.Extensions.Options;

namespace Hubbub.Server.Access;

/// <summary>
/// Declares the namespaces a deployment configures for its own channels (<c>Hubbub:Namespaces:{ns}:Subscribe</c> and
/// <c>:Publish</c>, e.g. <c>orders</c> or <c>team</c>), with who may subscribe and publish decided by the token's
/// <c>channels</c> claim, the app's backend (<see cref="ChannelProxy"/>), both, anyone or nobody. Entries that set
/// neither rule only tune a namespace declared elsewhere (history, join/leave). A rule that cannot work (an unknown
/// value, a proxy rule without a proxy URL, a namespace Hubbub or a feature already declares) stops the start with a
/// sentence saying which.
/// </summary>
internal static class AppNamespaces
{
    /// <summary>The configuration section whose entries may declare namespaces.</summary>
    public const string Section = "Hubbub:Namespaces";

    /// <summary>Adds every configured namespace to the engine's rules; call once at start-up.</summary>
    public static void Declare(IServiceProvider services)
    {
        var configuration = services.GetRequiredService<IConfiguration>();
        var rules = services.GetRequiredService<ChannelRules>();
        var proxy = services.GetRequiredService<IOptions<ProxyOptions>>().Value;
        var channelProxy = services.GetRequiredService<ChannelProxy>();
        foreach (var entry in configuration.GetSection(Section).GetChildren())
        {
            AppNamespaceOptions options;
            try
            {
                options = entry.Get<AppNamespaceOptions>() ?? new AppNamespaceOptions();
            }
            catch (InvalidOperationException ex)
            {
                throw new StartupException($"{Section}:{entry.Key}: {ex.Message}");
            }
            if (options.Subscribe is null && options.Publish is null)
            {
                continue;
            }
            if (!ChannelName.TryParse(entry.Key + ":x", int.MaxValue, out _, out _))
            {
                throw new StartupException($"{Section}:{entry.Key}: a namespace is a-z, 0-9, '_' and '-'.");
            }
            if (rules.Find(entry.Key) is not null)
            {
                throw new StartupException(
                    $"{Section}:{entry.Key} sets Subscribe/Publish, but '{entry.Key}' is declared by Hubbub or a feature; its rules are theirs. Configure a namespace of your own.");
            }
            var subscribe = Permission(entry.Key, "Subscribe", options.Subscribe,
                ProxyUrl(entry.Key, "Subscribe", options.SubscribeProxyUrl ?? proxy.SubscribeUrl), channelProxy);
            var publish = Permission(entry.Key, "Publish", options.Publish,
                ProxyUrl(entry.Key, "Publish", options.PublishProxyUrl ?? proxy.PublishUrl), channelProxy);
            // One rule for both when both read only the claims: a live subscription then proves the right to publish.
            if (Parse(entry.Key, "Subscribe", options.Subscribe) == AccessRule.Claims && Parse(entry.Key, "Publish", options.Publish) == AccessRule.Claims)
            {
                publish = subscribe;
            }
            rules.Add(new ChannelNamespace(entry.Key, subscribe, publish, options.Presence));
        }
    }

    private static ChannelPermission Permission(string ns, string what, string? value, Func<Uri>? proxyUrl, ChannelProxy proxy)
    {
        var kind = what.ToLowerInvariant();
        switch (Parse(ns, what, value))
        {
            case AccessRule.Nobody:
                return ChannelNamespace.Nobody;
            case AccessRule.Anyone:
                return ChannelNamespace.Anyone;
            case AccessRule.Claims:
                return ByClaims;
            case AccessRule.Proxy:
            {
                var url = proxyUrl!();
                return (access, ct) => proxy.AllowsAsync(kind, url, access, ct);
            }
            default:
            {
                var url = proxyUrl!();
                return (access, ct) => ByClaimsOnly(access) ? ValueTask.FromResult(true) : proxy.AllowsAsync(kind, url, access, ct);
            }
        }
    }

    private static readonly ChannelPermission ByClaims = static (access, _) => ValueTask.FromResult(ByClaimsOnly(access));

    private static bool ByClaimsOnly(ChannelAccess access) => ChannelGrants.Grants(access.User.Channels, access.Channel);

    private static AccessRule Parse(string ns, string what, string? value) =>
        value is null ? AccessRule.Nobody
        : Enum.TryParse<AccessRule>(value, ignoreCase: true, out var rule) && Enum.IsDefined(rule) && !int.TryParse(value, out _) ? rule
        : throw new StartupException(
            $"{Section}:{ns}:{what} is '{value}'; use one of {string.Join(", ", Enum.GetNames<AccessRule>())}.");

    /// <summary>The proxy URL a proxy rule needs, checked when the rule is built (a rule without a proxy never asks).</summary>
    private static Func<Uri> ProxyUrl(string ns, string what, string? url) => () =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new StartupException(url is null
                ? $"{Section}:{ns}:{what} asks a proxy, but neither {ProxyOptions.Section}:{what}Url nor {Section}:{ns}:{what}ProxyUrl is set."
                : $"The {what.ToLowerInvariant()} proxy URL of namespace '{ns}' ('{url}') is not an absolute http(s) URL.");
}
