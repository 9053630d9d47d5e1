using System.Net;
using System.Net.Sockets;
using System.Net.Http.Json;
using System.Text.Json;

namespace Hubbub.Server.Tests.Hosting;

/// <summary>
/// The command line as a new user meets it, run as the built server process: help for the server and every verb on
/// standard output with exit code 0, an unknown verb answered with the list, a taken port and a bad rules file in one
/// line, and <c>genconfig</c> writing a commented settings file the server then runs on.
/// </summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("hubbub-cli-");

    public void Dispose() => _folder.Delete(recursive: true);

    private Task<ServerProcess> RunAsync(params string[] args) =>
        ServerProcess.RunAsync(_folder.FullName, new Dictionary<string, string?>(), args);

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public async Task Help_lists_every_verb_on_standard_output_and_exits_0_without_starting_a_server(string flag)
    {
        var run = await RunAsync(flag, "--urls", "http://127.0.0.1:1"); // would fail to listen if it served
        Assert.True(run.ExitCode == 0, run.Error);
        foreach (var verb in new[] { "token", "migrate", "genconfig", "help" })
        {
            Assert.Contains($"  {verb} ", run.Output, StringComparison.Ordinal);
        }
        Assert.Contains(Hubbub.Core.HubbubVersion.Current, run.Output, StringComparison.Ordinal);
        Assert.Equal("", run.Error);
    }

    [Theory]
    [InlineData("token", "--help")]
    [InlineData("migrate", "--help")]
    [InlineData("genconfig", "--help")]
    [InlineData("token", "-h")]
    [InlineData("help", "token")]
    public async Task Every_verb_has_help_on_standard_output(string first, string second)
    {
        var run = await RunAsync(first, second);
        Assert.True(run.ExitCode == 0, run.Error);
        var verb = first == "help" ? second : first;
        Assert.StartsWith($"usage: {verb}", run.Output, StringComparison.Ordinal);
        Assert.Equal("", run.Error);
    }

    [Fact]
    public async Task An_unknown_verb_is_refused_with_the_list_of_verbs()
    {
        var run = await RunAsync("frobnicate");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("unknown command 'frobnicate'", run.Error, StringComparison.Ordinal);
        Assert.Contains("token, migrate, wallet-check, genconfig", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_taken_port_is_one_line_and_exit_code_1_without_a_stack_trace()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";
        var run = await RunAsync("--urls", url);
        Assert.Equal(1, run.ExitCode);
        var lines = run.Error.Trim().Split('\n');
        Assert.Single(lines);
        Assert.Contains($"Hubbub cannot start: Failed to bind to address {url}: address already in use", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error + run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"rules": [{"type": "lesson.finished", "xp": -5}]}""", "is invalid")]
    [InlineData("""{"rules": [""", "could not be read")]
    public async Task A_bad_rules_file_is_one_line_and_exit_code_1_without_a_stack_trace(string content, string why)
    {
        var path = Path.Combine(_folder.FullName, "rules.json");
        await File.WriteAllTextAsync(path, content);
        var run = await ServerProcess.RunAsync(_folder.FullName, new Dictionary<string, string?> { ["Gamification__RulesFile"] = path },
            ["--urls", "http://127.0.0.1:0"]);
        Assert.True(run.ExitCode == 1, $"exit {run.ExitCode}: {run.Error}");
        var lines = run.Error.Trim().Split('\n');
        Assert.Single(lines);
        Assert.Contains($"Hubbub cannot start: Gamification:RulesFile '{path}' {why}", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error + run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", run.Error + run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Gamification__LeaderboardChangeIntervalMs", "abc", "the setting value 'abc' at 'Gamification:LeaderboardChangeIntervalMs' is not a whole number")]
    [InlineData("Venues__MaxSessionHours", "soon", "the setting value 'soon' at 'Venues:MaxSessionHours' is not a number")]
    [InlineData("Venues__MaxSessionHours", "0", "Venues:MaxSessionHours must be from 0.0003")]
    public async Task A_setting_not_of_its_type_or_range_is_one_line_and_exit_code_1_without_a_stack_trace(string name, string value, string why)
    {
        // A number setting given a word threw from the configuration binder: an unhandled exception, exit 134.
        var run = await ServerProcess.RunAsync(_folder.FullName, new Dictionary<string, string?> { [name] = value }, ["--urls", "http://127.0.0.1:0"]);
        Assert.True(run.ExitCode == 1, $"exit {run.ExitCode}: {run.Error}");
        var lines = run.Error.Trim().Split('\n');
        Assert.Single(lines);
        Assert.Contains($"Hubbub cannot start: {why}", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error + run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", run.Error + run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Genconfig_prints_commented_settings_with_fresh_keys()
    {
        var first = await RunAsync("genconfig");
        var second = await RunAsync("genconfig");
        Assert.True(first.ExitCode == 0, first.Error);
        Assert.Contains("// ", first.Output, StringComparison.Ordinal);
        var (key1, api1) = Keys(first.Output);
        var (key2, api2) = Keys(second.Output);
        Assert.True(key1.Length >= 32, key1);
        Assert.True(api1.Length >= 24, api1);
        Assert.NotEqual(key1, key2);
        Assert.NotEqual(api1, api2);
    }

    [Fact]
    public async Task Genconfig_writes_a_file_keeps_an_existing_one_and_the_server_started_there_runs_on_it()
    {
        var path = Path.Combine(_folder.FullName, "appsettings.json");
        var written = await RunAsync("genconfig", path);
        Assert.True(written.ExitCode == 0, written.Error);
        var text = await File.ReadAllTextAsync(path);
        var again = await RunAsync("genconfig", path);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("--force", again.Error, StringComparison.Ordinal);
        Assert.Equal(text, await File.ReadAllTextAsync(path));

        // Started in that folder with no key in its environment, the server takes both keys from the file.
        var (signingKey, apiKey) = Keys(text);
        await using var server = await ServerProcess.StartOnLoopbackAsync(_folder.FullName, ServerStorage.Sqlite,
            new Dictionary<string, string?> { ["Auth__SigningKey"] = null, ["Hubbub__DataDirectory"] = null });
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        using var publish = new HttpRequestMessage(HttpMethod.Post, "/api/publish")
        {
            Content = JsonContent.Create(new { channel = "public:lobby", data = new { text = "hi" } }),
        };
        publish.Headers.Add("X-Api-Key", apiKey);
        var response = await http.SendAsync(publish);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(File.Exists(Path.Combine(_folder.FullName, "data", "hubbub.db")), "the data directory is relative to the folder");
        var token = TestTokens.For("42", key: signingKey);
        Assert.Equal(0, await WsClient.HandshakeStatusAsync(new Uri($"ws://127.0.0.1:{server.Port}/ws?access_token={token}")));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/", UriKind.Relative))).StatusCode); // the server's own console
    }

    [Fact]
    public async Task Started_from_a_folder_without_its_files_the_server_finds_its_console_and_settings()
    {
        // As `dotnet src/Hubbub.Server/bin/Release/net10.0/Hubbub.Server.dll` from the repository root: the folder
        // holds neither appsettings.json nor wwwroot, so the server uses its own.
        await using var server = await ServerProcess.StartOnLoopbackAsync(_folder.FullName, ServerStorage.Sqlite,
            new Dictionary<string, string?> { ["Logging__Console__FormatterName"] = null });
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var page = await http.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<html", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/js/pages.js", UriKind.Relative))).StatusCode);
        // The server's own appsettings.json logs JSON lines (its Logging:Console:FormatterName is "json").
        var firstLog = server.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0];
        using var line = JsonDocument.Parse(firstLog);
        Assert.True(line.RootElement.TryGetProperty("Category", out _), firstLog);
    }

    private static (string SigningKey, string ApiKey) Keys(string settings)
    {
        using var json = JsonDocument.Parse(settings, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var auth = json.RootElement.GetProperty("Auth");
        return (auth.GetProperty("SigningKey").GetString()!, auth.GetProperty("ApiKey").GetString()!);
    }
}
