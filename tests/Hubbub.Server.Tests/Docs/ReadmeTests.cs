namespace Hubbub.Server.Tests.Docs;

/// <summary>The README's two-minute tour, copied block by block as a new user does, against the real server.</summary>
public sealed class ReadmeTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("hubbub-readme-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public async Task The_two_minute_tour_runs_as_written()
    {
        var blocks = DocSnippets.Blocks("README.md", "## Two-minute tour");
        Assert.Contains(blocks, b => b.Language == "js");
        var script = DocSnippets.Script(blocks, LoopbackPort.Free(), httpErrorsFail: true);
        var (code, output, error) = await DocSnippets.RunAsync(script, _folder.FullName,
            new Dictionary<string, string> { ["Hubbub__DataDirectory"] = Path.Combine(_folder.FullName, "data") }, TimeSpan.FromSeconds(120));
        var why = $"exit {code}\n--- script\n{script}\n--- stdout\n{output}\n--- stderr\n{error}";
        Assert.True(code == 0, why);
        // The tour's frames: welcome as user 42, its publication back with its name, then the backend's publish.
        Assert.Matches(""""\{"type":"welcome","data":\{[^\n]*"user":"42","name":"Ada"""", output);
        Assert.Matches("""\{"type":"message","channel":"public:lobby","offset":1,"data":\{"text":"hi"\},"from":\{"user":"42","name":"Ada"\}\}""", output);
        Assert.Contains("""{"offset":2}""", output, StringComparison.Ordinal);
    }
}
