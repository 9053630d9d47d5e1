using SignalRHub;

// What a .NET team uses today: a minimal SignalR hub (JSON protocol, WebSockets), one group per channel.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Services.AddSignalR();
var app = builder.Build();
app.MapGet("/healthz", () => "ok");
app.MapHub<BenchHub>("/hub");
await app.RunAsync();

/// <summary>The entry point (the baseline has no other public surface).</summary>
public partial class Program;
