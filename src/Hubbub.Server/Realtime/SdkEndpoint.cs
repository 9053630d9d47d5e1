namespace Hubbub.Server.Realtime;

/// <summary>
/// <c>GET /sdk/hubbub.js</c> and <c>/sdk/hubbub.d.ts</c>: the JavaScript SDK, copied from clients/js/src into the
/// server's output at build time, so a page can <c>import { HubbubClient } from "/sdk/hubbub.js"</c> with no
/// package manager. The SDK is public code, so any origin may load it (module scripts are fetched with CORS).
/// </summary>
public static class SdkEndpoint
{
    private static readonly Dictionary<string, string> Files = new(StringComparer.Ordinal)
    {
        ["hubbub.js"] = "text/javascript; charset=utf-8",
        ["hubbub.d.ts"] = "application/typescript; charset=utf-8",
    };

    /// <summary>Maps <c>/sdk/{file}</c> for the SDK's files; any other name is 404.</summary>
    public static IEndpointConventionBuilder MapHubbubSdk(this IEndpointRouteBuilder app) =>
        app.MapGet("/sdk/{file}", Serve).WithName("JavaScriptSdk").ExcludeFromDescription();

    private static IResult Serve(string file, HttpContext context)
    {
        // Only the two known names: the route value never reaches the file system otherwise.
        if (!Files.TryGetValue(file, out var contentType))
        {
            return TypedResults.NotFound();
        }
        var path = Path.Combine(AppContext.BaseDirectory, "sdk", file);
        if (!File.Exists(path))
        {
            return TypedResults.NotFound();
        }
        context.Response.Headers.AccessControlAllowOrigin = "*";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers.CacheControl = "public, max-age=300";
        return TypedResults.PhysicalFile(path, contentType, lastModified: File.GetLastWriteTimeUtc(path));
    }
}
