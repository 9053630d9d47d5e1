using System.Globalization;

namespace Hubbub.Bench.Clients;

/// <summary>
/// One reading of a Hubbub server's <c>/metrics</c> (the Prometheus text format): each sample's series (the metric's name
/// with its labels, as written) and value. The readers of server totals (<see cref="ServerGcTotals"/>,
/// <see cref="SqliteWriterTotals"/>) take what they need from one reading, so a scenario that wants both asks once.
/// </summary>
public sealed class MetricSamples
{
    private MetricSamples(List<(string Series, double Value)> samples) => All = samples;

    /// <summary>Every sample, in the order the server wrote them.</summary>
    public IReadOnlyList<(string Series, double Value)> All { get; }

    /// <summary>Reads the server's metrics now.</summary>
    public static async Task<MetricSamples> ReadAsync(ServerApi api, CancellationToken cancellationToken) =>
        Parse((await api.GetAsync("/metrics", cancellationToken)).EnsureOk("GET /metrics").Body);

    /// <summary>The samples of a <c>/metrics</c> text: comments and lines without a number after their last space left out.</summary>
    public static MetricSamples Parse(string text)
    {
        var samples = new List<(string, double)>();
        foreach (var line in text.Split('\n'))
        {
            var space = line.LastIndexOf(' ');
            if (space > 0 && !line.StartsWith('#')
                && double.TryParse(line.AsSpan(space + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                samples.Add((line[..space], value));
            }
        }
        return new MetricSamples(samples);
    }
}
