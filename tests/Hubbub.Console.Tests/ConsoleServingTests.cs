using System.Net;
using Hubbub.Console.Tests.Infrastructure;

namespace Hubbub.Console.Tests;

/// <summary>The console's files are served at / with a Content-Security-Policy that forbids inline script.</summary>
public sealed class ConsoleServingTests : IClassFixture<ConsoleServingTests.Server>
{
    private readonly ConsoleServer _server;

    public ConsoleServingTests(Server fixture) => _server = fixture.Instance;

    [Theory]
    [InlineData("/", "text/html")]
    [InlineData("/index.html", "text/html")]
    [InlineData("/js/app.js", "text/javascript")]
    [InlineData("/console.css", "text/css")]
    public async Task Console_files_carry_a_strict_policy(string path, string type)
    {
        var response = await _server.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith(type, response.Content.Headers.ContentType!.MediaType, StringComparison.Ordinal);
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
    }

    [Fact]
    public async Task The_page_has_no_inline_script_and_loads_nothing_external()
    {
        var html = await _server.Http.GetStringAsync("/");
        Assert.Contains("<script type=\"module\" src=\"js/app.js\"></script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\son[a-z]+\s*=", html); // no inline event handlers either
        // The shell's context holds the one SDK client, imported from the server's own /sdk/.
        var context = await _server.Http.GetStringAsync("/js/shell/context.js");
        Assert.Contains("from '/sdk/hubbub.js'", context, StringComparison.Ordinal);
        Assert.Contains("import './pages.js'", await _server.Http.GetStringAsync("/js/app.js"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_api_and_the_sdk_keep_their_own_headers()
    {
        var sdk = await _server.Http.GetAsync("/sdk/hubbub.js");
        Assert.Equal(HttpStatusCode.OK, sdk.StatusCode);
        Assert.False(sdk.Headers.Contains("Content-Security-Policy"));
        Assert.Equal(HttpStatusCode.NotFound, (await _server.Http.GetAsync("/no-such-file.js")).StatusCode);
    }

    /// <summary>One Development server for the class.</summary>
    public sealed class Server : IDisposable
    {
        public ConsoleServer Instance { get; } = new();

        public void Dispose() => Instance.Dispose();
    }
}
