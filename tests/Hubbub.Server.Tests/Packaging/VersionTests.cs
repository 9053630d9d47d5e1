using System.Text.Json;
using System.Text.RegularExpressions;
using Hubbub.Server.Tests.Docs;
using Hubbub.Server.Tests.Infrastructure;

namespace Hubbub.Server.Tests.Packaging;

/// <summary>One version, set in Directory.Build.props, everywhere it is shown; the license the packages name exists.</summary>
public sealed class VersionTests
{
    private static string Root => DocSnippets.RepositoryRoot;

    private static string BuildVersion() =>
        Regex.Match(File.ReadAllText(Path.Combine(Root, "Directory.Build.props")), "<Version>([^<]+)</Version>").Groups[1].Value;

    [Fact]
    public void The_js_package_the_assemblies_and_the_changelog_carry_the_version_of_directory_build_props()
    {
        var version = BuildVersion();
        Assert.Matches(@"^\d+\.\d+\.\d+", version);
        using var package = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "clients", "js", "package.json")));
        Assert.Equal(version, package.RootElement.GetProperty("version").GetString());
        Assert.Equal(version, Hubbub.Core.HubbubVersion.Current);
        Assert.Contains($"## [{version}]", File.ReadAllText(Path.Combine(Root, "CHANGELOG.md")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_welcome_frame_shows_the_version()
    {
        using var server = new TestServer();
        await using var client = await server.ConnectAsync("version-1");
        Assert.Equal(BuildVersion(), client.Welcome.GetProperty("data").GetProperty("version").GetString());
    }

    [Fact]
    public void The_license_the_packages_name_is_the_repository_license()
    {
        using var package = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "clients", "js", "package.json")));
        Assert.Equal("MIT", package.RootElement.GetProperty("license").GetString());
        Assert.Contains("<PackageLicenseExpression>MIT</PackageLicenseExpression>", File.ReadAllText(Path.Combine(Root, "Directory.Build.props")), StringComparison.Ordinal);
        var license = File.ReadAllText(Path.Combine(Root, "LICENSE"));
        Assert.StartsWith("MIT License", license, StringComparison.Ordinal);
        Assert.Equal(license, File.ReadAllText(Path.Combine(Root, "clients", "js", "LICENSE")));
    }
}
