using System.Text.Json.Serialization;
using Hubbub.Features.Kit.Declaring;

namespace Hubbub.Server.WebConsole;

/// <summary>
/// The console pages features declare (<see cref="FeatureBuilder.ConsolePage"/>): <c>GET /console/pages.json</c> lists
/// them for the shell's page registry, <c>GET /console/pages/{file}</c> serves each module from its feature's assembly,
/// with the console's Content-Security-Policy. Both are public, as every other console file is.
/// </summary>
public static class ConsolePagesEndpoint
{
    /// <summary>Where page modules are served from.</summary>
    public const string ScriptPath = "/console/pages/";

    /// <summary>Maps the manifest and the modules.</summary>
    public static IEndpointRouteBuilder MapConsolePages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/console/pages.json", (HttpContext http, IServiceProvider services) =>
        {
            ConsoleSetup.AddConsoleHeaders(http.Response.Headers);
            var pages = (services.GetService<ConsolePages>()?.All ?? [])
                .Select(p => new ConsolePageEntry(p.Id, p.Title, p.Feature, ScriptPath + p.Script)).ToList();
            return TypedResults.Json(new ConsolePageManifest(pages), ConsolePagesJsonContext.Default.ConsolePageManifest);
        }).WithName("ConsolePages").ExcludeFromDescription();

        app.MapGet(ScriptPath + "{script}", (string script, HttpContext http, IServiceProvider services) =>
        {
            var page = services.GetService<ConsolePages>()?.ByScript(script);
            var stream = page?.Assembly.GetManifestResourceStream(page.ResourceName);
            if (stream is null)
            {
                return Results.NotFound();
            }
            ConsoleSetup.AddConsoleHeaders(http.Response.Headers);
            return Results.Stream(stream, "text/javascript; charset=utf-8");
        }).WithName("ConsolePageScript").ExcludeFromDescription();
        return app;
    }
}

/// <summary>The answer of <c>GET /console/pages.json</c>.</summary>
public sealed record ConsolePageManifest(IReadOnlyList<ConsolePageEntry> Pages);

/// <summary>One feature page: its route id, menu title, feature and module URL.</summary>
public sealed record ConsolePageEntry(string Id, string Title, string Feature, string Script);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ConsolePageManifest))]
internal sealed partial class ConsolePagesJsonContext : JsonSerializerContext;
