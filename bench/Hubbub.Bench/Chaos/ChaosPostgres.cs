using System.Diagnostics;
using Hubbub.Bench.Infra;
using Npgsql;

namespace Hubbub.Bench.Chaos;

/// <summary>
/// The chaos cluster's PostgreSQL: a cluster of its own (initdb in a temp folder, loopback port, trust auth),
/// restarted with <c>pg_ctl restart -m immediate</c> (every backend killed at once, crash recovery on start: what
/// the nodes see when the database host crashes). Run as root, the server runs as the <c>postgres</c> user.
/// </summary>
public sealed class ChaosPostgres : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hubbub-chaos-pg").FullName;
    private readonly string _bin = FindBin();
    private bool _started;

    /// <summary>The port.</summary>
    public int Port { get; } = Ports.Free();

    /// <summary>The database the nodes share.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=hubbub_chaos;Timeout=5;Command Timeout=10";

    /// <summary>Whether PostgreSQL's server binaries are installed.</summary>
    public static bool Available() => Directory.Exists("/usr/lib/postgresql") && Directory.GetDirectories("/usr/lib/postgresql").Length > 0;

    /// <summary>Creates the cluster, starts it and creates the <c>hubbub_chaos</c> database.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.Combine(_folder, "data"));
        Directory.CreateDirectory(Path.Combine(_folder, "sock"));
        if (IsRoot())
        {
            await RunAsync("chown", ["-R", "postgres", _folder], cancellationToken);
            await RunAsync("chmod", ["755", _folder], cancellationToken);
        }
        await PgAsync($"{_bin}/initdb -D {_folder}/data --auth=trust -U postgres", cancellationToken);
        await StartServerAsync(cancellationToken);
        await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres");
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("CREATE DATABASE hubbub_chaos", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Stops the server immediately (as a crash would), waits <paramref name="down"/>, starts it again.</summary>
    public async Task RestartAsync(TimeSpan down, CancellationToken cancellationToken)
    {
        await PgAsync($"{_bin}/pg_ctl -D {_folder}/data -m immediate stop", cancellationToken);
        NpgsqlConnection.ClearAllPools();
        await Task.Delay(down, cancellationToken);
        await StartServerAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_started)
        {
            try
            {
                await PgAsync($"{_bin}/pg_ctl -D {_folder}/data -m immediate stop", CancellationToken.None);
            }
            catch (InvalidOperationException)
            {
                // Already stopped.
            }
        }
        NpgsqlConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for the OS to clean.
        }
    }

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        _started = true;
        try
        {
            await PgAsync($"{_bin}/pg_ctl -D {_folder}/data -w -t 60 -l {_folder}/pg.log -o \"-p {Port} -c listen_addresses=127.0.0.1 -k {_folder}/sock -c fsync=off -c max_connections=300\" start",
                cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            // pg_ctl says only "could not start server": the reason is in the server's log, which goes with the folder.
            throw new InvalidOperationException($"{ex.Message}\nthe end of pg.log:\n{LogTail()}", ex);
        }
    }

    private string LogTail()
    {
        try
        {
            return string.Join('\n', File.ReadLines(Path.Combine(_folder, "pg.log")).TakeLast(15));
        }
        catch (IOException ex)
        {
            return ex.Message;
        }
    }

    private static string FindBin() =>
        Available()
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderBy(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0).Last() + "/bin"
            : "/usr/lib/postgresql/missing/bin";

    private static bool IsRoot() => Environment.UserName == "root";

    private static Task PgAsync(string commandLine, CancellationToken cancellationToken) =>
        IsRoot() ? RunAsync("su", ["postgres", "-s", "/bin/sh", "-c", commandLine], cancellationToken) : RunAsync("/bin/sh", ["-c", commandLine], cancellationToken);

    private static async Task RunAsync(string file, string[] arguments, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited {process.ExitCode}: {await output}{await error}");
        }
    }
}
