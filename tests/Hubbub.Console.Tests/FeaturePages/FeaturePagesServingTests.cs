using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hubbub.Console.Tests.Infrastructure;

namespace Hubbub.Console.Tests.FeaturePages;

/// <summary>
/// Pages that features declare (<c>FeatureBuilder.ConsolePage</c>): listed in <c>/console/pages.json</c>, their modules
/// served from the features assembly with the console's policy; the shell's menu shows them without a shell edit.
/// </summary>
public sealed class FeaturePagesServingTests : IClassFixture<FeaturePagesServingTests.Server>
{
    private readonly ConsoleServer _server;

    public FeaturePagesServingTests(Server fixture) => _server = fixture.Instance;

    [Fact]
    public async Task The_manifest_lists_each_declared_page_and_each_module_is_served_with_the_console_policy()
    {
        var manifest = await _server.Http.GetFromJsonAsync<JsonElement>("/console/pages.json");
        var pages = manifest.GetProperty("pages").EnumerateArray().ToList();
        Assert.Contains(pages, p => p.GetProperty("id").GetString() == "venues" && p.GetProperty("feature").GetString() == "venues"
            && p.GetProperty("script").GetString() == "/console/pages/venues.js" && p.GetProperty("title").GetString() == "Venues");
        foreach (var page in pages)
        {
            var response = await _server.Http.GetAsync(page.GetProperty("script").GetString());
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/javascript", response.Content.Headers.ContentType!.MediaType);
            var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            var module = await response.Content.ReadAsStringAsync();
            Assert.Contains("export async function mount(root, ctx)", module, StringComparison.Ordinal);
            Assert.DoesNotContain("innerHTML", module, StringComparison.Ordinal);
            Assert.DoesNotContain("http://", module, StringComparison.Ordinal);
            Assert.DoesNotContain("https://", module, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/console/pages/nope.js")]
    [InlineData("/console/pages/..%2Fapp.js")]
    [InlineData("/console/pages/")]
    public async Task Anything_else_under_the_pages_path_is_not_found(string path) =>
        Assert.Equal(HttpStatusCode.NotFound, (await _server.Http.GetAsync(path)).StatusCode);

    /// <summary>One Development server for the class.</summary>
    public sealed class Server : IDisposable
    {
        public ConsoleServer Instance { get; } = new();

        public void Dispose() => Instance.Dispose();
    }
}
