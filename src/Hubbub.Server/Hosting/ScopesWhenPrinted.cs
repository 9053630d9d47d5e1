using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Logging.Debug;
using Microsoft.Extensions.Logging.EventSource;
using Microsoft.Extensions.Options;

namespace Hubbub.Server.Hosting;

/// <summary>
/// Logging scopes are captured only when a log line can show them: when the console formatter prints scopes, or when a
/// logging provider other than the host's defaults (console, debug, event source) is registered, which may print them.
/// </summary>
/// <remarks>
/// Why: Kestrel begins a scope for every connection (its connection id) and holds it, with the execution context that
/// carries it, for the connection's life: two scope objects, the scope's state and an execution context, about 0.2 KB
/// of every idle connection (heap census in docs/performance.md, "Idle connections: fifth pass"). The console
/// provider takes the logger factory's scope provider whether or not its formatter prints scopes, and the server's
/// formatters (<c>json</c>, <c>simple</c>) print none unless <c>Logging:Console:FormatterOptions:IncludeScopes</c> is
/// true. Setting it true prints them again, and captures them for every provider. Not captured meanwhile: the scopes
/// of the event-source provider, which only a tracing session (<c>dotnet-trace</c> with Microsoft-Extensions-Logging)
/// would read.
/// </remarks>
internal sealed class ScopesWhenPrinted(
    IServiceCollection services,
    IOptionsMonitor<ConsoleLoggerOptions> console,
    IOptionsMonitor<JsonConsoleFormatterOptions> json,
    IOptionsMonitor<SimpleConsoleFormatterOptions> simple,
    IOptionsMonitor<ConsoleFormatterOptions> systemd) : IConfigureOptions<LoggerFilterOptions>
{
    private static readonly HashSet<Type> ProvidersThatPrintNoScopesOfTheirOwn =
        [typeof(ConsoleLoggerProvider), typeof(DebugLoggerProvider), typeof(EventSourceLoggerProvider)];

    /// <summary>Registers the rule; it is applied when the logger factory reads its filter options (at start, and when the logging configuration reloads).</summary>
    public static void AddTo(WebApplicationBuilder builder) =>
        builder.Services.AddSingleton<IConfigureOptions<LoggerFilterOptions>>(provider => new ScopesWhenPrinted(
            builder.Services,
            provider.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>(),
            provider.GetRequiredService<IOptionsMonitor<JsonConsoleFormatterOptions>>(),
            provider.GetRequiredService<IOptionsMonitor<SimpleConsoleFormatterOptions>>(),
            provider.GetRequiredService<IOptionsMonitor<ConsoleFormatterOptions>>()));

    /// <inheritdoc />
    public void Configure(LoggerFilterOptions options)
    {
        if (options.CaptureScopes)
        {
            options.CaptureScopes = ConsolePrintsScopes() || services.Any(OtherProvider);
        }
    }

    private bool ConsolePrintsScopes()
    {
        var settings = console.CurrentValue;
#pragma warning disable CS0618 // the obsolete Logging:Console:IncludeScopes still makes the default formatter print scopes
        if (settings.IncludeScopes)
        {
            return true;
        }
#pragma warning restore CS0618
        var name = settings.FormatterName;
        if (name is null)
        {
            return simple.CurrentValue.IncludeScopes || systemd.CurrentValue.IncludeScopes; // the provider's default formatter
        }
        // The console provider looks formatter names up ignoring case; a formatter of the application's own may print them.
        return Is(name, ConsoleFormatterNames.Json) ? json.CurrentValue.IncludeScopes
            : Is(name, ConsoleFormatterNames.Simple) ? simple.CurrentValue.IncludeScopes
            : !Is(name, ConsoleFormatterNames.Systemd) || systemd.CurrentValue.IncludeScopes;
    }

    private static bool Is(string name, string formatter) => string.Equals(name, formatter, StringComparison.OrdinalIgnoreCase);

    private static bool OtherProvider(ServiceDescriptor descriptor) =>
        descriptor.ServiceType == typeof(ILoggerProvider)
        && (descriptor.IsKeyedService || descriptor.ImplementationType is not { } type || !ProvidersThatPrintNoScopesOfTheirOwn.Contains(type));
}
