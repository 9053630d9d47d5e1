using System.Diagnostics;
using System.Globalization;

namespace Hubbub.Bench.Infra;

/// <summary>
/// A CPU profile of exactly a measured window (<c>--profile DIR</c>): <c>perf record</c> attached to the given processes
/// (the server, Redis) when the window starts and stopped with SIGINT when it ends, so the samples are those of the
/// measured calls and nothing of seeding, building or warming up. A marker file (<c>NAME.window</c>) names the pids and
/// the window's start and end (Unix ms) for other tools (<c>dotnet-trace</c>, <c>dotnet-counters</c>); the server runs
/// with <c>DOTNET_PerfMapEnabled=1</c> and W^X off (<see cref="ServerEnvironment"/>) so that perf can name JIT-compiled frames.
/// Without perf on the PATH only the marker is written.
/// </summary>
public sealed class ProfileWindow : IAsyncDisposable
{
    private readonly Process? _perf;
    private readonly string _marker;

    private ProfileWindow(Process? perf, string marker)
    {
        _perf = perf;
        _marker = marker;
    }

    /// <summary>The server's settings a profiled run needs: the JIT's symbol map for perf, where perf reads it.</summary>
    public static IReadOnlyDictionary<string, string> ServerEnvironment { get; } = new Dictionary<string, string>
    {
        ["DOTNET_PerfMapEnabled"] = "1",
        // JIT-compiled code in anonymous memory (not the double-mapped memfd of W^X), where perf looks its names up.
        ["DOTNET_EnableWriteXorExecute"] = "0",
    };

    /// <summary>Starts recording <paramref name="pids"/> into <c>DIR/NAME.perf.data</c>; returns once perf has attached (bounded).</summary>
    public static async Task<ProfileWindow> StartAsync(string folder, string name, IReadOnlyList<int> pids, CancellationToken ct)
    {
        Directory.CreateDirectory(folder);
        var marker = Path.Combine(folder, name + ".window");
        Process? perf = null;
        try
        {
            var info = new ProcessStartInfo("perf") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            // -k realtime: sample times in Unix seconds, to set beside the updates' own start times.
            foreach (var arg in new[] { "record", "-F", "1999", "-g", "-k", "realtime", "-o", Path.Combine(folder, name + ".perf.data"), "-p",
                         string.Join(',', pids.Select(p => p.ToString(CultureInfo.InvariantCulture))) })
            {
                info.ArgumentList.Add(arg);
            }
            perf = Process.Start(info);
            perf?.BeginErrorReadLine();
            perf?.BeginOutputReadLine();
            // perf prints nothing when it has attached; half a second is ample on an idle machine and harmless on a busy one.
            await Task.Delay(500, ct);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            perf = null; // no perf here: the marker alone
        }
        await File.WriteAllTextAsync(marker, string.Create(CultureInfo.InvariantCulture,
            $"pids {string.Join(',', pids)}\nstart_unix_ms {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}\n"), ct);
        return new ProfileWindow(perf, marker);
    }

    /// <summary>Ends the window: the marker's end line, then perf stopped (SIGINT, so it writes its file) and waited for (bounded).</summary>
    public async ValueTask DisposeAsync()
    {
        await File.AppendAllTextAsync(_marker, string.Create(CultureInfo.InvariantCulture, $"stop_unix_ms {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}\n"));
        if (_perf is null)
        {
            return;
        }
        const int sigInt = 2;
        NativeMethods.Signal(_perf.Id, sigInt);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await _perf.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            _perf.Kill();
        }
        _perf.Dispose();
    }
}
