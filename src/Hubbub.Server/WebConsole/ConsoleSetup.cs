using Microsoft.AspNetCore.StaticFiles;

namespace Hubbub.Server.WebConsole;

/// <summary>
/// Serves the web console (wwwroot: plain ES modules on the JavaScript SDK) at <c>/</c>, with a strict
/// Content-Security-Policy on its files: scripts only from this origin and never inline, so text a user
/// wrote cannot run even if a bug ever put it into markup.
/// </summary>
public static class ConsoleSetup
{
    /// <summary>The policy sent with every console file. <c>'self'</c> in connect-src covers ws:/wss: to this host.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'";

    /// <summary>Adds <c>/</c> → <c>index.html</c> and the static files of wwwroot, each sent with the policy.</summary>
    public static WebApplication UseHubbubConsole(this WebApplication app)
    {
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions
        {
            ContentTypeProvider = new FileExtensionContentTypeProvider(),
            OnPrepareResponse = context => AddConsoleHeaders(context.Context.Response.Headers),
        });
        app.MapConsolePages();
        return app;
    }

    /// <summary>The headers every console file carries (also the feature pages of <see cref="ConsolePagesEndpoint"/>).</summary>
    public static void AddConsoleHeaders(IHeaderDictionary headers)
    {
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        // The console changes with the server; always revalidate so an upgrade is seen at once.
        headers.CacheControl = "no-cache";
    }
}
