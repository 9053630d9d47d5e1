using System.Diagnostics;
using System.Net;
using Hubbub.Server.Tests.Docs;

namespace Hubbub.Server.Tests.Packaging;

/// <summary>
/// docs/operations.md "Install on a server": the published server, started from another folder as a service unit
/// does, serves its console and becomes ready. A framework-dependent publish: the self-contained single file of the
/// docs needs the runtime packs from the NuGet feed, which a test machine may not have offline.
/// </summary>
public sealed class PublishTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("hubbub-publish-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public async Task The_published_server_started_from_another_folder_serves_its_console_and_is_ready()
    {
        var app = Path.Combine(_folder.FullName, "opt-hubbub");
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        await RunToEndAsync("dotnet", DocSnippets.RepositoryRoot, "publish", "src/Hubbub.Server", "-c", configuration, "--no-build", "-o", app);
        Assert.True(File.Exists(Path.Combine(app, "wwwroot", "index.html")), "the publish holds the console");

        var workingDirectory = Directory.CreateDirectory(Path.Combine(_folder.FullName, "var-lib-hubbub")).FullName;
        var port = ServerProcess.FreePort();
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(app, "Hubbub.Server.dll"), "--urls", $"http://127.0.0.1:{port}" })
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(key);
        }
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Auth__SigningKey"] = ServerProcess.SigningKey;
        using var server = Process.Start(info)!;
        var output = server.StandardOutput.ReadToEndAsync();
        var errors = server.StandardError.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };
            var ready = false;
            for (var clock = Stopwatch.StartNew(); !ready && clock.Elapsed < TimeSpan.FromSeconds(30) && !server.HasExited;)
            {
                try
                {
                    ready = (await http.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(100); // not listening yet
                }
            }
            Assert.True(ready, "the published server did not become ready");
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/", UriKind.Relative))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/sdk/hubbub.js", UriKind.Relative))).StatusCode);
            // Its data went where the rule says: the content root is the server's own folder (this one has no settings).
            Assert.True(File.Exists(Path.Combine(app, "data", "hubbub.db")));
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
        Assert.Contains("Content root path: " + app, await output, StringComparison.Ordinal);
        _ = await errors;
    }

    private static async Task RunToEndAsync(string program, string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await process.WaitForExitAsync(cts.Token);
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)}: {await output} {await error}");
    }
}
