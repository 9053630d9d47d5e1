namespace Hubbub.Bench.Infra;

/// <summary>Where the repository and the built server assemblies are, found from the bench's own location.</summary>
public static class RepoPaths
{
    /// <summary>The repository root (the folder holding Hubbub.slnx).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The build configuration the bench itself was built with (Release or Debug); servers are taken from the same.</summary>
    public static string Configuration { get; } = AppContext.BaseDirectory.Contains(
        $"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";

    /// <summary>The default results folder, bench/results.</summary>
    public static string Results => Path.Combine(Root, "bench", "results");

    /// <summary>
    /// The built Hubbub server, or the one named by <c>HUBBUB_BENCH_SERVER_DLL</c> (to measure another build, e.g.
    /// before and after a change, with the same load generator).
    /// </summary>
    public static string HubbubServerDll =>
        Environment.GetEnvironmentVariable("HUBBUB_BENCH_SERVER_DLL") is { Length: > 0 } other
            ? other
            : Output("src/Hubbub.Server", "Hubbub.Server.dll");

    /// <summary>The built Kestrel broadcast baseline.</summary>
    public static string KestrelDll => Output("bench/Baselines/KestrelBroadcast", "KestrelBroadcast.dll");

    /// <summary>The built SignalR hub baseline.</summary>
    public static string SignalRDll => Output("bench/Baselines/SignalRHub", "SignalRHub.dll");

    private static string Output(string project, string dll) =>
        Path.Combine(Root, project, "bin", Configuration, "net10.0", dll);

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        for (var i = 0; i < 12 && dir is not null; i++, dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Hubbub.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"Hubbub.slnx not found above {AppContext.BaseDirectory}");
    }
}
