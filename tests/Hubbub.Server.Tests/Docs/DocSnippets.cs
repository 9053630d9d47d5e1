using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Hubbub.Server.Tests.Docs;

/// <summary>
/// Runs a documentation section's code blocks in order, as a reader copying them would: <c>sh</c> blocks as one bash
/// script, a <c>js</c> block written to the file its first comment names (<c>// tour.mjs: …</c>). Only what a test
/// machine must change is changed: the built server dll instead of <c>dotnet run --project src/Hubbub.Server</c>
/// (started in the background, in Development as its launch profile does, on a free port instead of 5080).
/// </summary>
internal static partial class DocSnippets
{
    /// <summary>The repository root (where Hubbub.slnx is).</summary>
    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Hubbub.slnx")))
            {
                dir = dir.Parent;
            }
            return dir?.FullName ?? throw new InvalidOperationException("no Hubbub.slnx above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>The fenced blocks (language, text) of the section of <paramref name="markdownFile"/> under <paramref name="heading"/>.</summary>
    public static IReadOnlyList<(string Language, string Text)> Blocks(string markdownFile, string heading)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRoot, markdownFile)).ReplaceLineEndings("\n");
        var start = text.IndexOf(heading + "\n", StringComparison.Ordinal);
        if (start < 0)
        {
            throw new InvalidOperationException($"{markdownFile} has no section '{heading}'");
        }
        var level = heading[..(heading.IndexOf(' ', StringComparison.Ordinal) + 1)];
        var end = text.IndexOf("\n" + level, start + heading.Length, StringComparison.Ordinal);
        var section = end < 0 ? text[start..] : text[start..end];
        return Fence().Matches(section).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();
    }

    /// <summary>
    /// The bash script that runs <paramref name="blocks"/> against a server on <paramref name="port"/>. With
    /// <paramref name="labels"/> (one per block) each block first says on stderr which it is; with
    /// <paramref name="httpErrorsFail"/> a <c>curl</c> that gets a 4xx or 5xx answer fails the script (after printing it).
    /// A <c>js</c> block without a file name in its first line is run with node as a module, where it stands.
    /// </summary>
    public static string Script(IReadOnlyList<(string Language, string Text)> blocks, int port, IReadOnlyList<string>? labels = null,
        bool httpErrorsFail = false)
    {
        var script = new StringBuilder();
        script.AppendLine("set -euo pipefail");
        script.AppendLine("export ASPNETCORE_ENVIRONMENT=Development  # what `dotnet run` takes from launchSettings.json");
        script.AppendLine("servers=(); trap 'kill ${servers[@]} 2>/dev/null || true' EXIT");
        if (httpErrorsFail)
        {
            script.AppendLine("curl() { command curl -sS --fail-with-body \"$@\"; local rc=$?; echo; return $rc; }");
        }
        for (var i = 0; i < blocks.Count; i++)
        {
            var (language, raw) = blocks[i];
            if (labels is not null)
            {
                script.AppendLine($"echo '### {labels[i].Replace("'", "", StringComparison.Ordinal)}' >&2");
            }
            var text = raw.Replace("127.0.0.1:5080", $"127.0.0.1:{port}", StringComparison.Ordinal);
            switch (language)
            {
                case "sh":
                    var serves = ServerStart().IsMatch(text);
                    text = text.Replace("dotnet run --project src/Hubbub.Server --", "dotnet \"$HUBBUB_DLL\"", StringComparison.Ordinal);
                    text = ServerStart().Replace(text, $"dotnet \"$HUBBUB_DLL\" --urls http://127.0.0.1:{port}");
                    script.AppendLine(text.TrimEnd() + (serves ? " &" : ""));
                    if (serves)
                    {
                        script.AppendLine("servers+=($!)");
                        script.AppendLine($"for _ in $(seq 300); do command curl -sf -o /dev/null http://127.0.0.1:{port}/readyz && break; sleep 0.1; done");
                    }
                    break;
                case "js":
                    var file = JsFileName().Match(text);
                    var name = file.Success ? file.Groups[1].Value : $"snippet-{i}.mjs";
                    script.AppendLine($"cat > {name} <<'HUBBUB_SNIPPET_END'");
                    script.Append(text);
                    script.AppendLine("HUBBUB_SNIPPET_END");
                    if (!file.Success)
                    {
                        script.AppendLine($"node --experimental-websocket --no-warnings {name}");
                    }
                    break;
                default:
                    throw new InvalidOperationException($"no runner for a '{language}' block");
            }
        }
        return script.ToString();
    }

    /// <summary>Runs <paramref name="script"/> with bash in <paramref name="workingDirectory"/> (bounded); returns exit code and output.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string script, string workingDirectory,
        IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var info = new ProcessStartInfo("bash")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // What the test run itself configures must not reach the reader's commands.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase)
            || k.StartsWith("Storage__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("Auth__", StringComparison.OrdinalIgnoreCase)
            || k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(key);
        }
        info.Environment["HUBBUB_DLL"] = ServerProcess.ServerDll;
        info.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        using var process = Process.Start(info)!;
        await process.StandardInput.WriteAsync(script);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the snippets did not finish within {timeout}:\n{script}\nstdout: {await output}\nstderr: {await error}");
        }
        return (process.ExitCode, await output, await error);
    }

    /// <summary>The documents whose code blocks are checked: README.md, docs/*.md, docs/features/*.md (repository-relative).</summary>
    public static IReadOnlyList<string> Documents()
    {
        var root = RepositoryRoot;
        return ["README.md", .. new[] { "docs", Path.Combine("docs", "features") }
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(root, folder), "*.md"))
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/')).Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Every fenced block of <paramref name="markdownFile"/> (indented ones in lists too) with its line, language and the
    /// reason of a <c>&lt;!-- not-run: reason --&gt;</c> comment on the line before its fence (null when there is none).
    /// </summary>
    public static IReadOnlyList<DocBlock> AllBlocks(string markdownFile)
    {
        var lines = File.ReadAllText(Path.Combine(RepositoryRoot, markdownFile)).ReplaceLineEndings("\n").Split('\n');
        var blocks = new List<DocBlock>();
        for (var i = 0; i < lines.Length; i++)
        {
            var open = OpeningFence().Match(lines[i]);
            if (!open.Success)
            {
                continue;
            }
            var indent = open.Groups[1].Value;
            var close = Array.FindIndex(lines, i + 1, l => l.TrimEnd() == indent + "```");
            if (close < 0)
            {
                throw new InvalidOperationException($"{markdownFile}:{i + 1}: a code block that never closes");
            }
            var body = string.Join('\n', lines[(i + 1)..close].Select(l => l.StartsWith(indent, StringComparison.Ordinal) ? l[indent.Length..] : l)) + "\n";
            var marker = i > 0 ? NotRun().Match(lines[i - 1]) : Match.Empty;
            blocks.Add(new DocBlock(markdownFile, i + 1, open.Groups[2].Value, body, marker.Success ? marker.Groups[1].Value.Trim() : null));
            i = close;
        }
        return blocks;
    }

    [GeneratedRegex(@"```(\w+)\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex Fence();

    [GeneratedRegex(@"^( *)```(\S*)\s*$")]
    private static partial Regex OpeningFence();

    [GeneratedRegex(@"^\s*<!--\s*not-run:(.*?)-->\s*$")]
    private static partial Regex NotRun();

    // `dotnet run --project src/Hubbub.Server` that serves (no `--` and verb after it).
    [GeneratedRegex(@"dotnet run --project src/Hubbub\.Server(?!\s+--)(?=\s*(#|$))", RegexOptions.Multiline)]
    private static partial Regex ServerStart();

    [GeneratedRegex(@"^// ([\w.-]+\.m?js):")]
    private static partial Regex JsFileName();
}

/// <summary>A fenced code block of a document: where it is, its language tag, its text, and why it is not run (or null).</summary>
internal sealed record DocBlock(string File, int Line, string Language, string Text, string? NotRunReason)
{
    public override string ToString() => $"{File}:{Line} ({Language})";
}
