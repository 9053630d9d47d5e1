namespace Hubbub.Core.Connections;

/// <summary>
/// The connection whose feature command is running on this flow of execution, so that a publication the command
/// makes through <see cref="HubbubEngine.PublishAsync"/> can put the command's reply first on that connection.
/// Flows with <c>await</c>; set and cleared by the dispatcher around each command. A publication that outlives the
/// command (a background task it started) finds the request ended and holds nothing.
/// </summary>
internal static class CommandRequest
{
    private static readonly AsyncLocal<ClientConnection?> CurrentConnection = new();

    public static ClientConnection? Current
    {
        get => CurrentConnection.Value;
        set => CurrentConnection.Value = value;
    }
}
