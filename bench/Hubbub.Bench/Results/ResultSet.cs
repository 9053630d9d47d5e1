using System.Collections.Concurrent;
using Hubbub.Bench.Infra;
using Hubbub.Bench.Measure;

namespace Hubbub.Bench.Results;

/// <summary>Everything one run measured, and its summaries (median with min–max over rounds).</summary>
public sealed class ResultSet
{
    private readonly ConcurrentQueue<Measurement> _measurements = new();
    private readonly ConcurrentQueue<LadderStep> _steps = new();
    private readonly ConcurrentDictionary<string, string> _notes = new(StringComparer.Ordinal);

    /// <summary>Every measurement in the order taken.</summary>
    public IReadOnlyList<Measurement> Measurements => [.. _measurements];

    /// <summary>Every ladder step in the order taken.</summary>
    public IReadOnlyList<LadderStep> Steps => [.. _steps];

    /// <summary>Notes per scenario (e.g. why it is pending), by scenario name.</summary>
    public IReadOnlyDictionary<string, string> Notes => _notes;

    /// <summary>Adds one figure.</summary>
    public void Add(string scenario, ServerKind server, int round, string metric, double value, string unit, Better better) =>
        _measurements.Enqueue(new Measurement(scenario, server.Key(), round, metric, value, unit, better));

    /// <summary>Adds one ladder step.</summary>
    public void AddStep(LadderStep step) => _steps.Enqueue(step);

    /// <summary>Sets a scenario's note.</summary>
    public void Note(string scenario, string note) => _notes[scenario] = note;

    /// <summary>The median with min–max of a metric on a server over rounds, or null when never measured.</summary>
    public Stats? Summary(string scenario, ServerKind server, string metric)
    {
        var values = _measurements.Where(m => m.Scenario == scenario && m.Server == server.Key() && m.Metric == metric)
            .Select(m => m.Value).ToList();
        return values.Count == 0 ? null : Stats.Of(values);
    }

    /// <summary>
    /// The ratio of <paramref name="server"/>'s figure to <paramref name="baseline"/>'s within each round where both
    /// were measured (they ran minutes apart at most), as median with min–max over rounds; null without a pair.
    /// </summary>
    public Stats? PairedRatio(string scenario, string metric, ServerKind server, ServerKind baseline)
    {
        var ratios = PerRound(scenario, metric, server, baseline).Select(p => p.Of / p.Base).ToList();
        return ratios.Count == 0 ? null : Stats.Of(ratios);
    }

    /// <summary>Each round's value of <paramref name="metric"/> for both servers, in round order (rounds with both only).</summary>
    public IReadOnlyList<(int Round, double Of, double Base)> PerRound(string scenario, string metric, ServerKind server, ServerKind baseline)
    {
        double? Value(ServerKind kind, int round) => _measurements
            .Where(m => m.Scenario == scenario && m.Server == kind.Key() && m.Metric == metric && m.Round == round)
            .Select(m => (double?)m.Value).FirstOrDefault();
        return _measurements.Where(m => m.Scenario == scenario && m.Metric == metric).Select(m => m.Round).Distinct().Order()
            .Select(round => (Round: round, Of: Value(server, round), Base: Value(baseline, round)))
            .Where(p => p.Of is not null && p.Base is > 0)
            .Select(p => (p.Round, p.Of!.Value, p.Base!.Value))
            .ToList();
    }

    /// <summary>The metrics of a scenario in first-seen order, with unit and direction.</summary>
    public IReadOnlyList<(string Metric, string Unit, Better Better)> MetricsOf(string scenario) =>
        _measurements.Where(m => m.Scenario == scenario).Select(m => (m.Metric, m.Unit, m.Better)).Distinct().ToList();

    /// <summary>The scenarios measured or noted, in first-seen order.</summary>
    public IReadOnlyList<string> Scenarios =>
        _measurements.Select(m => m.Scenario).Concat(_notes.Keys).Distinct().ToList();
}
