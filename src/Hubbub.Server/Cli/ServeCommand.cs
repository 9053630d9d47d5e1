using System.Net.Sockets;
using Hubbub.Server.Auth;
using Hubbub.Server.Hosting;
using Hubbub.Storage;
using Microsoft.AspNetCore.Connections;

namespace Hubbub.Server.Cli;

/// <summary>
/// Serving (no verb): runs the server until stopped. A start that fails for a reason the operator fixes (the port is
/// taken, a setting read while starting is wrong) is one line on standard error and exit code 1, not the host's error
/// log with a stack trace and an abort.
/// </summary>
public static class ServeCommand
{
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";
    private static volatile bool s_started;

    /// <summary>
    /// Keeps the host's "Hosting failed to start" error (with its stack trace) out of the log while starting:
    /// <see cref="RunAsync"/> reports why in one line, or rethrows what it cannot explain. Once started, the host's
    /// errors (a background service that failed) are logged as before.
    /// </summary>
    public static void QuietStartupFailures(WebApplicationBuilder builder) =>
        builder.Logging.AddFilter(HostCategory, level => level >= LogLevel.Information && (s_started || level != LogLevel.Error));

    /// <summary>Maps the server and runs it; returns the process exit code.</summary>
    public static async Task<int> RunAsync(WebApplication app, TextWriter error)
    {
        _ = app.Services.GetRequiredService<SigningKeyProvider>(); // fail fast on a missing key, with its message
        app.MapHubbubServer();
        app.Lifetime.ApplicationStarted.Register(() => s_started = true);
        await using (app)
        {
            try
            {
                await app.StartAsync();
            }
            catch (IOException ex) when (AddressInUse(ex))
            {
                // The background services started before the listener failed: stop them the way a shutdown does (their
                // tokens cancelled, their loops awaited) before the host is disposed, so none of them meets a database
                // disposed under a running query and logs that as a failure with its stack trace.
                await app.StopAsync();
                await error.WriteLineAsync($"Hubbub cannot start: {ex.Message.TrimEnd('.')}. Another process listens there: stop it, " +
                    "or choose another address with --urls http://127.0.0.1:PORT (or the Urls setting).");
                return 1;
            }
            catch (StartupException ex)
            {
                // A setting read while starting (the rules file) is wrong: stopped as above, then said in one line.
                await app.StopAsync();
                await error.WriteLineAsync($"Hubbub cannot start: {ex.Message}");
                return 1;
            }
            catch (Exception ex) when (SettingFailures.Describe(ex) is { } why)
            {
                // A setting's text is not of its type, found when a service first read its options: as above.
                await app.StopAsync();
                await error.WriteLineAsync($"Hubbub cannot start: {why}");
                return 1;
            }
            await app.WaitForShutdownAsync();
            return 0;
        }
    }

    private static bool AddressInUse(Exception ex) =>
        ex is AddressInUseException || ex is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }
        || (ex.InnerException is { } inner && AddressInUse(inner));
}
