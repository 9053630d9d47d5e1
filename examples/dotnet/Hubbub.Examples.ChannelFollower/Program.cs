using Hubbub.Client;
using Hubbub.Examples;

// Usage: dotnet run --project examples/dotnet/Hubbub.Examples.ChannelFollower -- ws://127.0.0.1:5080/ws <token> [channel]
// Mint a token with: dotnet src/Hubbub.Server/bin/Release/net10.0/Hubbub.Server.dll token --user 42
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Hubbub.Examples.ChannelFollower <ws-url> <token> [channel (default public:lobby)]");
    return 2;
}
var channel = args.Length > 2 ? args[2] : "public:lobby";

await using var client = new HubbubClient(new HubbubClientOptions { Url = new Uri(args[0]), Token = args[1] });
client.StateChanged += (_, e) => Console.Error.WriteLine($"[connection] {e}");

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

try
{
    await client.ConnectAsync(stop.Token);
    await new ChannelFollower(client, channel, Console.Out).RunAsync(stop.Token);
    return 0;
}
catch (OperationCanceledException)
{
    return 0;
}
catch (HubbubException ex)
{
    Console.Error.WriteLine($"stopped: {ex.Message}");
    return 1;
}
