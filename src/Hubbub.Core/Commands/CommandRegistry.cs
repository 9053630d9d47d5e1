using System.Collections.Concurrent;
using System.Text.Json;
using Hubbub.Core.Connections;
using Hubbub.Protocol;

namespace Hubbub.Core.Commands;

/// <summary>What a feature command receives: who sent it, on which connection, and its <c>data</c>.</summary>
/// <param name="User">The signed-in user.</param>
/// <param name="Connection">The connection it came on.</param>
/// <param name="Data">The frame's <c>data</c> (valid only during the call).</param>
/// <param name="Services">The application's services, for features that resolve scoped ones.</param>
public sealed record CommandContext(HubbubUser User, ClientConnection Connection, JsonElement Data, IServiceProvider Services);

/// <summary>
/// A feature command handler. Returns the reply's data as UTF-8 JSON (or null for <c>{}</c>); refuses with
/// <see cref="HubbubException"/>.
/// </summary>
public delegate ValueTask<byte[]?> CommandHandler(CommandContext context, CancellationToken cancellationToken);

/// <summary>
/// Feature commands reachable over the WebSocket, by type (e.g. <c>chat.send</c>). The dispatcher routes any
/// type the core does not know here, so features plug in without touching the transport.
/// </summary>
public sealed class CommandRegistry
{
    private readonly ConcurrentDictionary<string, CommandHandler> _handlers = new(StringComparer.Ordinal);

    /// <summary>Creates an empty registry.</summary>
    public CommandRegistry() : this([])
    {
    }

    /// <summary>
    /// Creates the registry with the commands features registered as services (<see cref="HubbubCoreServices.AddHubbubCommand"/>),
    /// each also under the other number of its feature's name when no command has that name.
    /// </summary>
    public CommandRegistry(IEnumerable<CommandRegistration> registrations)
    {
        var declared = registrations.ToList();
        foreach (var registration in declared)
        {
            Add(registration.Type, registration.Handler);
        }
        // FEATURES.md names commands "<feature>.<verb>" without fixing the feature's number: a client that guessed
        // notification.read for notifications.read, or wallets.transfer for wallet.transfer, is answered by the same
        // handler instead of "unknown message type". A name some command already has keeps its own.
        foreach (var registration in declared)
        {
            if (OtherNumber(registration.Type) is { } other && !_handlers.ContainsKey(other) && !MessageTypes.IsReserved(other))
            {
                _handlers.TryAdd(other, registration.Handler);
            }
        }
    }

    /// <summary><c>venue.checkin</c> for <c>venues.checkin</c> and back: the prefix before the first dot with its plural <c>s</c> added or taken.</summary>
    private static string? OtherNumber(string type)
    {
        var dot = type.IndexOf('.');
        if (dot <= 1)
        {
            return null;
        }
        var prefix = type[..dot];
        return (prefix.EndsWith('s') ? prefix[..^1] : prefix + "s") + type[dot..];
    }

    /// <summary>Registers a command; a type may be registered once and may not shadow a core type.</summary>
    public void Add(string type, CommandHandler handler)
    {
        if (MessageTypes.IsReserved(type) || type == MessageTypes.Message)
        {
            throw new InvalidOperationException($"'{type}' is a core message type and cannot be a feature command.");
        }
        if (!_handlers.TryAdd(type, handler))
        {
            throw new InvalidOperationException($"Command '{type}' is registered twice.");
        }
    }

    /// <summary>The handler of a type, or null.</summary>
    public CommandHandler? Find(string type) => _handlers.GetValueOrDefault(type);

    /// <summary>Every registered command type.</summary>
    public IEnumerable<string> Types => _handlers.Keys;
}

/// <summary>A feature command registered as a service.</summary>
/// <param name="Type">The frame type, e.g. <c>chat.send</c>.</param>
/// <param name="Handler">The handler.</param>
public sealed record CommandRegistration(string Type, CommandHandler Handler);
