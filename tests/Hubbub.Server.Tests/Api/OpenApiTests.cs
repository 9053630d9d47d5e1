using System.Net;
using System.Text.Json;
using Hubbub.Server.Tests.Infrastructure;

namespace Hubbub.Server.Tests.Api;

/// <summary>
/// The OpenAPI document declares how the API authenticates (bearer JWT, X-Api-Key) on every /api operation and the
/// server's version; Development serves a browsable page of it at /scalar, Production does not.
/// </summary>
public sealed class OpenApiTests : IClassFixture<SharedServer>
{
    private readonly TestServer _server;

    public OpenApiTests(SharedServer shared) => _server = shared.Server;

    [Fact]
    public async Task The_document_declares_bearer_and_api_key_schemes_and_requires_them_on_every_api_operation()
    {
        using var document = JsonDocument.Parse(await _server.Http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        var root = document.RootElement;
        Assert.Equal(Hubbub.Core.HubbubVersion.Current, root.GetProperty("info").GetProperty("version").GetString());
        var schemes = root.GetProperty("components").GetProperty("securitySchemes");
        var bearer = schemes.GetProperty("Bearer");
        Assert.Equal("http", bearer.GetProperty("type").GetString());
        Assert.Equal("bearer", bearer.GetProperty("scheme").GetString());
        Assert.Equal("JWT", bearer.GetProperty("bearerFormat").GetString());
        var key = schemes.GetProperty("ApiKey");
        Assert.Equal("apiKey", key.GetProperty("type").GetString());
        Assert.Equal("header", key.GetProperty("in").GetString());
        Assert.Equal("X-Api-Key", key.GetProperty("name").GetString());

        var operations = 0;
        foreach (var path in root.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith("/api/", StringComparison.Ordinal)))
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                operations++;
                var names = operation.Value.GetProperty("security").EnumerateArray()
                    .SelectMany(requirement => requirement.EnumerateObject().Select(s => s.Name)).ToList();
                var expected = path.Name == "/api/publish" ? new[] { "ApiKey" } : ["Bearer", "ApiKey"];
                Assert.True(expected.SequenceEqual(names), $"{operation.Name} {path.Name}: {string.Join(",", names)}");
            }
        }
        Assert.True(operations > 20, $"{operations} operations");
    }

    [Fact]
    public async Task Production_serves_no_api_page()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _server.Http.GetAsync(new Uri("/scalar", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Development_serves_a_browsable_api_page_of_the_document()
    {
        var folder = Directory.CreateTempSubdirectory("hubbub-scalar-");
        try
        {
            await using var server = await ServerProcess.StartOnLoopbackAsync(folder.FullName, ServerStorage.Sqlite,
                new Dictionary<string, string?> { ["ASPNETCORE_ENVIRONMENT"] = "Development" });
            using var http = new HttpClient { BaseAddress = server.BaseAddress };
            var page = await http.GetAsync(new Uri("/scalar", UriKind.Relative)); // redirects to /scalar/
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            var html = await page.Content.ReadAsStringAsync();
            Assert.Contains("\"url\":\"openapi/v1.json\"", html, StringComparison.Ordinal); // resolved against the site's root
            Assert.Contains("<title>Hubbub API</title>", html, StringComparison.Ordinal);
            // Its script comes from the server itself, not from a CDN.
            Assert.Contains("<script src=\"scalar.js\">", html, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/scalar/scalar.js", UriKind.Relative))).StatusCode);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
