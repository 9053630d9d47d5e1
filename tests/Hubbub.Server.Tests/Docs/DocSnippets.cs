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

    /// <summary>The bash script that runs <paramref name="blocks"/> against a server on <paramref name="port"/>.</summary>
    public static string Script(IReadOnlyList<(string Language, string Text)> blocks, int port)
    {
        var script = new StringBuilder();
        script.AppendLine("set -euo pipefail");
        script.AppendLine("export ASPNETCORE_ENVIRONMENT=Development  # what `dotnet run` takes from launchSettings.json");
        script.AppendLine("servers=(); trap 'kill ${servers[@]} 2>/dev/null || true' EXIT");
        foreach (var (language, raw) in blocks)
        {
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
                        script.AppendLine($"for _ in $(seq 300); do curl -sf -o /dev/null http://127.0.0.1:{port}/readyz && break; sleep 0.1; done");
                    }
                    break;
                case "js":
                    var file = JsFileName().Match(text);
                    if (!file.Success)
                    {
                        throw new InvalidOperationException("a js block's first line must name its file: // NAME.mjs: …\n" + text);
                    }
                    script.AppendLine($"cat > {file.Groups[1].Value} <<'HUBBUB_SNIPPET_END'");
                    script.Append(text);
                    script.AppendLine("HUBBUB_SNIPPET_END");
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

    [GeneratedRegex(@"```(\w+)\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex Fence();

    // `dotnet run --project src/Hubbub.Server` that serves (no `--` and verb after it).
    [GeneratedRegex(@"dotnet run --project src/Hubbub\.Server(?!\s+--)(?=\s*(#|$))", RegexOptions.Multiline)]
    private static partial Regex ServerStart();

    [GeneratedRegex(@"^// ([\w.-]+\.m?js):")]
    private static partial Regex JsFileName();
}
