namespace Hubbub.Server.Tests.Docs;

/// <summary>
/// Every code block of README.md, docs/*.md and docs/features/*.md, as a new user copying them would meet them
/// (docs/testing rules in tests/README.md "Documentation snippets"):
/// every block has a language tag; <c>sh</c>, <c>js</c> and <c>csharp</c> blocks run unless the line before the fence
/// says <c>&lt;!-- not-run: why --&gt;</c>; every other tag (<c>text</c>, <c>json</c>, <c>http</c>, <c>ini</c>, …) is
/// shown, never run. Each document's blocks that run are run in order, after what a reader of the README's tour has
/// done: a server started as the tour starts it (Development, API key <c>tour-api-key</c>) and <c>TOKEN</c> for user 42.
/// The README's own tour is <see cref="ReadmeTests"/>.
/// </summary>
public sealed class DocsSnippetTests : IDisposable
{
    private static readonly HashSet<string> Runnable = ["sh", "js", "csharp"];
    private static readonly HashSet<string> Shown = ["text", "json", "jsonc", "http", "ini", "html", "ts", "python"];

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("hubbub-docs-");

    public void Dispose() => _folder.Delete(recursive: true);

    /// <summary>The documents (but the README, run by <see cref="ReadmeTests"/>) with at least one block that runs.</summary>
    public static TheoryData<string> DocumentsThatRun() => new(RunningDocuments());

    private static List<string> RunningDocuments() =>
        DocSnippets.Documents().Where(d => d != "README.md")
            .Where(d => DocSnippets.AllBlocks(d).Any(b => Runnable.Contains(b.Language) && b.NotRunReason is null)).ToList();

    [Fact]
    public void Every_block_has_a_language_and_every_block_that_does_not_run_says_why()
    {
        var problems = new List<string>();
        var blocks = DocSnippets.Documents().SelectMany(DocSnippets.AllBlocks).ToList();
        foreach (var block in blocks)
        {
            if (!Runnable.Contains(block.Language) && !Shown.Contains(block.Language))
            {
                problems.Add($"{block}: tag it with a language ({string.Join(", ", Runnable.Concat(Shown))})");
            }
            else if (block.NotRunReason is { } reason && (!Runnable.Contains(block.Language) || reason.Length < 10))
            {
                problems.Add($"{block}: a not-run comment belongs to a sh/js/csharp block and says why in words (\"{reason}\")");
            }
            else if (block.NotRunReason is null && block.Language == "csharp")
            {
                problems.Add($"{block}: no runner for C# blocks; say why it does not run (<!-- not-run: … -->) or where it is compiled");
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        // The rule has teeth: there are blocks that run, and the tour's are among them.
        Assert.Contains(blocks, b => b.File == "README.md" && b.Language == "js" && b.NotRunReason is null);
        Assert.True(RunningDocuments().Count >= 3);
    }

    [Theory]
    [MemberData(nameof(DocumentsThatRun))]
    public async Task Each_documents_shell_and_js_blocks_run_as_written(string document)
    {
        // What the reader did in the README's tour: the server started with the tour's key, and TOKEN for user 42.
        var tour = DocSnippets.Blocks("README.md", "## Two-minute tour").Where(b => b.Language == "sh").Take(2).ToList();
        Assert.Contains("Auth__ApiKey=tour-api-key", tour[0].Text, StringComparison.Ordinal);
        Assert.Contains("export TOKEN=", tour[1].Text, StringComparison.Ordinal);
        var own = DocSnippets.AllBlocks(document).Where(b => Runnable.Contains(b.Language) && b.NotRunReason is null).ToList();
        var blocks = tour.Concat(own.Select(b => (b.Language, b.Text))).ToList();
        var labels = new[] { "README.md tour: server", "README.md tour: TOKEN" }.Concat(own.Select(b => b.ToString())).ToList();

        var script = DocSnippets.Script(blocks, LoopbackPort.Free(), labels, httpErrorsFail: true);
        var (code, output, error) = await DocSnippets.RunAsync(script, _folder.FullName,
            new Dictionary<string, string> { ["Hubbub__DataDirectory"] = Path.Combine(_folder.FullName, "data") }, TimeSpan.FromSeconds(180));
        Assert.True(code == 0, $"{document}: exit {code}\n--- stderr (### names the block)\n{error}\n--- stdout\n{output}\n--- script\n{script}");
    }
}
