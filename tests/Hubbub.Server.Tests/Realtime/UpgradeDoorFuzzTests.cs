using System.Collections.Concurrent;
using System.Text;
using CsCheck;
using Hubbub.Server.Tests.Infrastructure;

namespace Hubbub.Server.Tests.Realtime;

/// <summary>
/// Issue 13, finding 7, as a property: whatever upgrade head a client sends (<see cref="UpgradeHeadGen"/>), the
/// connection-level accept answers it as Kestrel's HTTP layer alone does, to the status code (101 on both, or the
/// same refusal), or leaves it to that layer. One server of each door for the class (<see cref="TwoDoors"/>).
/// </summary>
public sealed class UpgradeDoorFuzzTests(TwoDoors doors) : IClassFixture<TwoDoors>
{
    /// <summary>
    /// Bounded so the test takes seconds (about 4 s here): each case is two connections, a stalled one up to
    /// <see cref="Wait"/>. Three runs of 4,000 cases each on random seeds (about 12 s each) found every answer alike.
    /// </summary>
    private const int Cases = 1000;

    /// <summary>
    /// Long enough for a head both doors wait on to be cut on both: by the headers timeout, or by the keep-alive
    /// timeout when it is only empty lines (Kestrel skips those before a request).
    /// </summary>
    private static readonly TimeSpan Wait = TwoDoors.KeepAliveTimeout + TwoDoors.KestrelLateness + TimeSpan.FromSeconds(1);

    /// <summary>
    /// The same cases on every run, as every test here is deterministic; <c>CsCheck_Seed</c> in the environment
    /// explores others (a failing run prints its seed to set there).
    /// </summary>
    private static readonly string Seed = Environment.GetEnvironmentVariable("CsCheck_Seed") ?? "7uLes2iOwx5c";

    private static int s_users;

    [Fact]
    public async Task Random_and_mutated_upgrade_heads_get_the_same_answer_on_both_doors()
    {
        var answers = new ConcurrentDictionary<string, int>();
        await UpgradeHeadGen.Cases.SampleAsync(async headCase =>
        {
            var head = headCase.Render(TestTokens.For($"fuzz{Interlocked.Increment(ref s_users)}"));
            var outcomes = await Task.WhenAll(HeadExchange.SendAsync(doors.ConnectionLayer, head, Wait), HeadExchange.SendAsync(doors.HttpLayer, head, Wait));
            var (onConnection, onHttp) = (outcomes[0], outcomes[1]);
            if (onConnection.Answer != onHttp.Answer)
            {
                throw new InvalidOperationException($"connection layer {onConnection.Answer}, HTTP layer {onHttp.Answer} for {headCase}: "
                    + UpgradeHeadGen.Escape(Encoding.Latin1.GetString(head)));
            }
            var layer = onConnection.Answer == "101" && !onConnection.FromHttpLayer ? " on the connection" : "";
            answers.AddOrUpdate(onConnection.Answer + layer, 1, (_, n) => n + 1);
        }, seed: Seed, iter: Cases, threads: 4, print: c => c.ToString());

        // Not vacuous: the connection layer took some heads itself and both doors refused others alike.
        Assert.True(answers.GetValueOrDefault("101 on the connection") > 10, string.Join(", ", answers));
        Assert.True(answers.GetValueOrDefault("400") > 10, string.Join(", ", answers));
    }
}
