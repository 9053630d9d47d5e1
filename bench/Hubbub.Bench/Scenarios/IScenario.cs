using Hubbub.Bench.Infra;

namespace Hubbub.Bench.Scenarios;

/// <summary>One benchmark scenario. The runner calls it once per round and server, servers interleaved.</summary>
public interface IScenario
{
    /// <summary>Its command-line name.</summary>
    string Name { get; }

    /// <summary>Whether it applies to <paramref name="kind"/> (recovery has no counterpart in the baselines).</summary>
    bool Supports(ServerKind kind);

    /// <summary>Why it cannot run in this build (e.g. a feature not there yet), or null when it can.</summary>
    string? PendingReason();

    /// <summary>How many rounds it runs: the run's, unless the scenario needs more to be judged.</summary>
    int RoundsFor(BenchSettings settings) => settings.Rounds;

    /// <summary>Runs one round on one server: starts the server(s), measures, stops them.</summary>
    Task RunAsync(ScenarioContext context, ServerKind kind, int round, CancellationToken cancellationToken);
}
