using System.Diagnostics;
using System.Net;
using Hubbub.Server.Tests.Docs;

namespace Hubbub.Server.Tests.Packaging;

/// <summary>
/// docs/operations.md "Install on a server": the published server, started from another folder as a service unit
/// does, serves its console and becomes ready: the single-file self-contained publish exactly as the docs write it
/// (the runtime packs come from the NuGet feed), and the framework-dependent one.
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
        var server = await PublishedServer.StartAsync("dotnet", [Path.Combine(app, "Hubbub.Server.dll")], workingDirectory, TimeSpan.FromSeconds(30));
        try
        {
            Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync(new Uri("/", UriKind.Relative))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync(new Uri("/sdk/hubbub.js", UriKind.Relative))).StatusCode);
            // Its data went where the rule says: the content root is the server's own folder (this one has no settings).
            Assert.True(File.Exists(Path.Combine(app, "data", "hubbub.db")));
        }
        finally
        {
            await server.StopAsync();
        }
        Assert.Contains("Content root path: " + app, server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_single_file_self_contained_publish_of_the_docs_runs_from_another_folder_without_dotnet()
    {
        // The recipe's command as the docs write it, but for the output folder.
        var recipe = DocSnippets.Blocks("docs/operations.md", "### A single-file, self-contained publish").First(b => b.Language == "sh").Text;
        var command = recipe.Split('\n')[0];
        Assert.StartsWith("dotnet publish src/Hubbub.Server ", command, StringComparison.Ordinal);
        Assert.Contains("--self-contained", command, StringComparison.Ordinal);
        Assert.Contains("-p:PublishSingleFile=true", command, StringComparison.Ordinal);
        var app = Path.Combine(_folder.FullName, "opt-hubbub");
        command = command.Replace("/tmp/hubbub-publish", app, StringComparison.Ordinal);
        Assert.Contains(app, command, StringComparison.Ordinal);

        // On a copy of the sources, as a fresh clone has them: a restore for linux-x64 must not rewrite this checkout's obj/
        // under the builds and tests that use it.
        var sources = CopySources(Path.Combine(_folder.FullName, "clone"));
        await RunToEndAsync("bash", sources, TimeSpan.FromMinutes(12), "-c", command);
        var executable = Path.Combine(app, "Hubbub.Server");
        Assert.True(File.Exists(executable), "the publish has the one executable");
        Assert.False(File.Exists(Path.Combine(app, "Hubbub.Server.dll")), "the server's code is inside the executable");
        Assert.True(File.Exists(Path.Combine(app, "wwwroot", "index.html")), "the publish holds the console");

        // Started by path from a folder of its own, as the systemd unit does.
        var workingDirectory = Directory.CreateDirectory(Path.Combine(_folder.FullName, "var-lib-hubbub")).FullName;
        var server = await PublishedServer.StartAsync(executable, [], workingDirectory, TimeSpan.FromSeconds(60));
        try
        {
            Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
            var console = await server.Http.GetAsync(new Uri("/", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, console.StatusCode);
            Assert.Contains("<title>Hubbub console</title>", await console.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync(new Uri("/sdk/hubbub.js", UriKind.Relative))).StatusCode);
            // Self-contained: the running server mapped nothing from this machine's .NET installation (its shared runtimes).
            var machineRuntimes = Path.GetFullPath(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", ".."));
            var maps = await File.ReadAllTextAsync($"/proc/{server.Process.Id}/maps");
            Assert.DoesNotContain(machineRuntimes, maps, StringComparison.Ordinal);
        }
        finally
        {
            await server.StopAsync();
        }
        Assert.Contains("Content root path: " + app, server.Output, StringComparison.Ordinal);
    }

    /// <summary>Copies what a clone holds to build the server (src/ without build outputs, the repository's build files) to <paramref name="target"/>.</summary>
    private static string CopySources(string target)
    {
        var root = DocSnippets.RepositoryRoot;
        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "global.json", ".editorconfig", "nuget.config", "NuGet.config" })
        {
            if (File.Exists(Path.Combine(root, file)))
            {
                Directory.CreateDirectory(target);
                File.Copy(Path.Combine(root, file), Path.Combine(target, file));
            }
        }
        // The server's projects, and the JavaScript SDK it serves at /sdk/.
        foreach (var folder in new[] { "src", Path.Combine("clients", "js", "src") })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(root, folder), "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(root, file);
                var parts = relative.Split(Path.DirectorySeparatorChar);
                if (parts.Contains("bin") || parts.Contains("obj") || parts.Contains("data") || parts.Contains("node_modules"))
                {
                    continue;
                }
                var destination = Path.Combine(target, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                File.Copy(file, destination);
            }
        }
        return target;
    }

    private static Task RunToEndAsync(string program, string workingDirectory, params string[] args) =>
        RunToEndAsync(program, workingDirectory, TimeSpan.FromMinutes(4), args);

    private static async Task RunToEndAsync(string program, string workingDirectory, TimeSpan within, params string[] args)
    {
        var info = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(within);
        await process.WaitForExitAsync(cts.Token);
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)}: {await output} {await error}");
    }
    /// <summary>
    /// A published server started as a service unit starts it: by path, from a working folder of its own, in
    /// Production, with no connection string or host setting inherited from the test run; ready when
    /// <c>/readyz</c> answers 200.
    /// </summary>
    private sealed class PublishedServer
    {
        private Task<string>? _output;
        private Task<string>? _errors;

        private PublishedServer(Process process, HttpClient http)
        {
            Process = process;
            Http = http;
        }

        public Process Process { get; }

        public HttpClient Http { get; }

        /// <summary>What the server wrote to standard output, after <see cref="StopAsync"/>.</summary>
        public string Output { get; private set; } = "";

        public static async Task<PublishedServer> StartAsync(string program, string[] args, string workingDirectory, TimeSpan readyWithin)
        {
            var port = LoopbackPort.Free();
            var info = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in args.Concat(["--urls", $"http://127.0.0.1:{port}"]))
            {
                info.ArgumentList.Add(arg);
            }
            foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase)
                || k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) || k.StartsWith("DOTNET_", StringComparison.OrdinalIgnoreCase)).ToList())
            {
                info.Environment.Remove(key);
            }
            info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            info.Environment["Auth__SigningKey"] = ServerProcess.SigningKey;
            var server = new PublishedServer(Process.Start(info)!, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) });
            server._output = server.Process.StandardOutput.ReadToEndAsync();
            server._errors = server.Process.StandardError.ReadToEndAsync();
            var ready = false;
            for (var clock = Stopwatch.StartNew(); !ready && clock.Elapsed < readyWithin && !server.Process.HasExited;)
            {
                try
                {
                    ready = (await server.Http.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(100); // not listening yet
                }
            }
            if (!ready)
            {
                var exited = server.Process.HasExited;
                await server.StopAsync();
                Assert.Fail($"the published server did not become ready (exited: {exited}): {server.Output} {await server._errors}");
            }
            return server;
        }

        /// <summary>Kills the server and collects its output.</summary>
        public async Task StopAsync()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
            }
            await Process.WaitForExitAsync();
            Output = await _output!;
            _ = await _errors!;
            Http.Dispose();
            Process.Dispose();
        }
    }
}
