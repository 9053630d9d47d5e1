using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;
using Hubbub.Server.Tests.Docs;

namespace Hubbub.Server.Tests.Packaging;

/// <summary>
/// The packages a user installs, made as a release makes them (<c>dotnet pack</c>, <c>npm pack</c>), installed from the
/// packed files into scratch projects with no network (a local NuGet folder; an npm tarball with no dependencies),
/// and run against the real server: each receives its own publication back.
/// </summary>
public sealed class PackageTests : IAsyncLifetime
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("hubbub-packages-");
    private ServerProcess? _server;

    private string Feed => Path.Combine(_folder.FullName, "feed");

    public async Task InitializeAsync() =>
        _server = await ServerProcess.StartOnLoopbackAsync(_folder.FullName, ServerStorage.Sqlite);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        _folder.Delete(recursive: true);
    }

    private string Token(string user) => TestTokens.For(user, key: ServerProcess.SigningKey);

    [Fact]
    public async Task The_dotnet_packages_carry_full_metadata_install_offline_and_run_an_example()
    {
        foreach (var project in new[] { "Hubbub.Protocol", "Hubbub.Client" })
        {
            await RunAsync("dotnet", DocSnippets.RepositoryRoot, "pack", $"src/{project}", "-c", "Release", "--no-build", "-o", Feed, "-nologo");
        }
        var version = Hubbub.Core.HubbubVersion.Current;
        foreach (var id in new[] { "Hubbub.Protocol", "Hubbub.Client" })
        {
            var nuspec = Nuspec(Path.Combine(Feed, $"{id}.{version}.nupkg"), out var files);
            string Field(string name) => nuspec.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value ?? "";
            Assert.Equal(version, Field("version"));
            Assert.Equal("MIT", Field("license"));
            Assert.Equal("README.md", Field("readme"));
            Assert.Contains("README.md", files);
            // Nothing invented: no placeholder address in the metadata or the readme a package page shows.
            Assert.Equal("", Field("projectUrl"));
            Assert.DoesNotContain(".invalid", nuspec.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(".invalid", Readme(Path.Combine(Feed, $"{id}.{version}.nupkg")), StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(Field("description")));
            Assert.Contains("websocket", Field("tags"), StringComparison.Ordinal);
        }
        // The publisher's addresses, passed at pack time as docs/sdk-dotnet.md says, land where package pages look.
        var published = Path.Combine(_folder.FullName, "published");
        await RunAsync("dotnet", DocSnippets.RepositoryRoot, "pack", "src/Hubbub.Client", "-c", "Release", "--no-build", "-o", published, "-nologo",
            "-p:PackageProjectUrl=https://hubbub.test/home", "-p:RepositoryUrl=https://hubbub.test/hubbub.git");
        var withUrls = Nuspec(Path.Combine(published, $"Hubbub.Client.{version}.nupkg"), out _);
        Assert.Equal("https://hubbub.test/home", withUrls.Descendants().Single(e => e.Name.LocalName == "projectUrl").Value);
        var repository = withUrls.Descendants().Single(e => e.Name.LocalName == "repository");
        Assert.Equal("git", (string?)repository.Attribute("type"));
        Assert.Equal("https://hubbub.test/hubbub.git", (string?)repository.Attribute("url"));

        var client = Nuspec(Path.Combine(Feed, $"Hubbub.Client.{version}.nupkg"), out _);
        Assert.Contains(client.Descendants().Where(e => e.Name.LocalName == "dependency"),
            d => (string?)d.Attribute("id") == "Hubbub.Protocol" && (string?)d.Attribute("version") == version);

        // A scratch app outside the repository, restoring from the packed files and the machine's package cache only.
        var app = Directory.CreateDirectory(Path.Combine(_folder.FullName, "dotnet-app")).FullName;
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
            <configuration>
              <config><add key="globalPackagesFolder" value="{Path.Combine(app, "packages")}" /></config>
              <packageSources><clear /><add key="packed" value="{Feed}" /><add key="machine-cache" value="{cache}" /></packageSources>
            </configuration>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable><ImplicitUsings>enable</ImplicitUsings></PropertyGroup>
              <ItemGroup><PackageReference Include="Hubbub.Client" Version="{version}" /></ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), """
            using Hubbub.Client;

            await using var client = new HubbubClient(new HubbubClientOptions { Url = new Uri(args[0]), Token = args[1] });
            await client.ConnectAsync();
            var channel = await client.SubscribeAsync("public:packages");
            await channel.PublishAsync(new { text = "from the NuGet package" });
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await foreach (var e in channel.ReadAllAsync(timeout.Token))
            {
                if (e.Kind == HubbubEventKind.Publication)
                {
                    Console.WriteLine($"received #{e.Offset} {e.Data.GetRawText()} from {e.From?.User}");
                    break;
                }
            }
            """);
        var output = await RunAsync("dotnet", app, "run", "--", $"ws://127.0.0.1:{_server!.Port}/ws", Token("pkg-dotnet"));
        Assert.Contains("""received #1 {"text":"from the NuGet package"} from pkg-dotnet""", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_npm_package_installs_offline_from_its_tarball_and_runs_an_example()
    {
        var packed = (await RunAsync("npm", Path.Combine(DocSnippets.RepositoryRoot, "clients", "js"), "pack", "--pack-destination", _folder.FullName, "--silent")).Trim();
        var tarball = Path.Combine(_folder.FullName, packed.Split('\n')[^1].Trim());
        Assert.True(File.Exists(tarball), packed);

        var app = Directory.CreateDirectory(Path.Combine(_folder.FullName, "npm-app")).FullName;
        await File.WriteAllTextAsync(Path.Combine(app, "package.json"), """{"name":"scratch","version":"1.0.0","private":true,"type":"module"}""");
        await RunAsync("npm", app, "install", "--offline", "--no-audit", "--no-fund", tarball);
        await File.WriteAllTextAsync(Path.Combine(app, "index.mjs"), """
            import { HubbubClient } from 'hubbub-client';

            const client = new HubbubClient(process.argv[2], { token: process.argv[3] });
            const timer = setTimeout(() => { console.error('no publication within 20 s'); process.exit(1); }, 20_000);
            const channel = client.subscribe('public:packages-js', {
              message: (p) => {
                console.log(`received #${p.offset} ${JSON.stringify(p.data)} from ${p.from?.user}`);
                clearTimeout(timer);
                client.close();
              },
            });
            await client.connect();
            await channel.publish({ text: 'from the npm package' });
            """);
        var output = await RunAsync("node", app, "--experimental-websocket", "--no-warnings", "index.mjs", $"ws://127.0.0.1:{_server!.Port}/ws", Token("pkg-js"));
        Assert.Contains("""received #1 {"text":"from the npm package"} from pkg-js""", output, StringComparison.Ordinal);
    }

    private static XElement Nuspec(string nupkg, out List<string> files)
    {
        Assert.True(File.Exists(nupkg), nupkg);
        using var zip = ZipFile.OpenRead(nupkg);
        files = zip.Entries.Select(e => e.FullName).ToList();
        using var stream = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
        return XElement.Load(stream);
    }

    private static string Readme(string nupkg)
    {
        using var zip = ZipFile.OpenRead(nupkg);
        using var reader = new StreamReader(zip.GetEntry("README.md")!.Open());
        return reader.ReadToEnd();
    }

    private static async Task<string> RunAsync(string program, string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish: {await output} {await error}");
        }
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)} exited {process.ExitCode}:\n{await output}\n{await error}");
        return await output;
    }
}
