namespace Hubbub.Server.Hosting;

/// <summary>
/// Where the server finds its own files (appsettings*.json, the console's wwwroot) wherever it is started from.
/// ASP.NET Core looks in the current directory, so <c>dotnet path/to/Hubbub.Server.dll</c> started from anywhere
/// else ran without its settings and answered 404 at <c>/</c>. The rule:
/// <list type="bullet">
/// <item>the content root (settings files, the default data directory) is the current directory when it holds
/// <c>appsettings.json</c> or <c>wwwroot/</c> — a folder prepared to run the server, e.g. by <c>genconfig</c> — and
/// otherwise the server's own folder;</item>
/// <item>the web root is <c>wwwroot</c> under the content root when there is one, otherwise the server's own;</item>
/// <item>a build output (<c>bin/…</c>, which holds no wwwroot) serves the project's wwwroot through the build's static
/// web assets manifest, as Development always does;</item>
/// <item>an explicit <c>--contentRoot</c>/<c>--webroot</c> or <c>ASPNETCORE_CONTENTROOT</c>/<c>ASPNETCORE_WEBROOT</c> wins.</item>
/// </list>
/// </summary>
public static class HostLocation
{
    /// <summary>The builder options for <paramref name="args"/> started in <paramref name="currentDirectory"/> from an app in <paramref name="appDirectory"/>.</summary>
    public static WebApplicationOptions Options(string[] args, string currentDirectory, string appDirectory)
    {
        var contentRoot = IsSet(args, "contentRoot") ? null : ChooseContentRoot(currentDirectory, appDirectory);
        var webRoot = IsSet(args, "webroot") || contentRoot is null ? null : ChooseWebRoot(contentRoot, appDirectory);
        return new WebApplicationOptions { Args = args, ContentRootPath = contentRoot, WebRootPath = webRoot };
    }

    /// <summary>The current directory when it holds the server's files, else the server's own folder.</summary>
    public static string ChooseContentRoot(string currentDirectory, string appDirectory) =>
        File.Exists(Path.Combine(currentDirectory, "appsettings.json")) || Directory.Exists(Path.Combine(currentDirectory, "wwwroot"))
            ? currentDirectory
            : appDirectory;

    /// <summary><c>wwwroot</c> under the content root when it exists, else the server's own (null: neither exists, the framework default).</summary>
    public static string? ChooseWebRoot(string contentRoot, string appDirectory)
    {
        foreach (var folder in new[] { contentRoot, appDirectory })
        {
            var candidate = Path.Combine(folder, "wwwroot");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>
    /// Outside Development (which does it by itself), serves the project's wwwroot from a build output that has none,
    /// through the manifest the build writes beside the assembly (absent from a publish, which copies wwwroot).
    /// </summary>
    public static void ServeBuildOutputAssets(WebApplicationBuilder builder, string appDirectory)
    {
        var manifest = Path.Combine(appDirectory, $"{builder.Environment.ApplicationName}.staticwebassets.runtime.json");
        if (!builder.Environment.IsDevelopment() && !Directory.Exists(builder.Environment.WebRootPath) && File.Exists(manifest))
        {
            builder.WebHost.UseStaticWebAssets();
        }
    }

    // A setting given on the command line (--name value, --name=value, /name) or as ASPNETCORE_/DOTNET_ environment variable.
    private static bool IsSet(string[] args, string name) =>
        args.Any(a => a.TrimStart('-', '/').StartsWith(name, StringComparison.OrdinalIgnoreCase))
        || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable($"ASPNETCORE_{name.ToUpperInvariant()}"))
        || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable($"DOTNET_{name.ToUpperInvariant()}"));
}
