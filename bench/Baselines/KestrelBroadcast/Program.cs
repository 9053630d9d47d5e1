using System.Net.WebSockets;
using KestrelBroadcast;

// The near-limit reference: what a careful team writes by hand on bare Kestrel. Subscribers connect to /ws (any
// frame they send is echoed back to them); a publisher connects to /pub and every frame it sends is copied once
// and queued to every subscriber. Each subscriber has a bounded queue drained by its own writer loop; a full
// queue aborts that subscriber (slow consumer) instead of holding the publisher. No envelope, no offsets, no
// history, no auth: the bare cost of a WebSocket broadcast.
var builder = WebApplication.CreateSlimBuilder(args);
var app = builder.Build();
var hub = new Broadcaster(capacity: 1024);
app.UseWebSockets();
app.MapGet("/healthz", () => "ok");
app.Map("/ws", async context =>
{
    if (!context.WebSockets.IsWebSocketRequest)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return;
    }
    using var socket = await context.WebSockets.AcceptWebSocketAsync();
    await hub.RunSubscriberAsync(socket);
});
app.Map("/pub", async context =>
{
    if (!context.WebSockets.IsWebSocketRequest)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return;
    }
    using var socket = await context.WebSockets.AcceptWebSocketAsync();
    await Broadcaster.RunPublisherAsync(socket, hub);
});
await app.RunAsync();

/// <summary>The entry point (the baseline has no other public surface).</summary>
public partial class Program;
