using Scalar.AspNetCore;

namespace Hubbub.Server.Api;

/// <summary>
/// A browsable, try-it-out page of the REST API at <c>/scalar</c> (Scalar, served from the package, nothing loaded from
/// elsewhere), built on <c>/openapi/v1.json</c>. Development only, like the console's user picker: production servers
/// publish the document, not a page that sends requests with whatever credentials a visitor types in.
/// </summary>
internal static class ApiReference
{
    /// <summary>The page's path.</summary>
    public const string Path = "/scalar";

    /// <summary>Maps the page in Development.</summary>
    public static void MapApiReference(this WebApplication app, IHostEnvironment environment)
    {
        if (environment.IsDevelopment())
        {
            app.MapScalarApiReference(Path, options => options.WithTitle("Hubbub API"));
        }
    }
}
