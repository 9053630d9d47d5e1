namespace Hubbub.Bench.Clients;

/// <summary>
/// A Hubbub server's SQLite writer totals since it started, from its <c>/metrics</c> (meter <c>Hubbub.Storage</c>): pages
/// written to the write-ahead log, pages read from the file, commits, writes and commands run. Two readings' difference divided by the
/// operations between them is a cost per operation the machine's load does not move (pages per event), or says how the
/// writes were grouped (events per commit, which does depend on the rate). NaN from a build before these meters, or a
/// server without SQLite.
/// </summary>
public sealed record SqliteWriterTotals(double PagesWritten, double PagesRead, double Commits, double Writes, double Commands = double.NaN)
{
    /// <summary>The totals of one reading of the server's metrics.</summary>
    public static SqliteWriterTotals Of(MetricSamples metrics)
    {
        const string Prefix = "hubbub_storage_sqlite_writer_";
        double written = double.NaN, read = double.NaN, commits = double.NaN, writes = double.NaN, commands = double.NaN;
        foreach (var (series, value) in metrics.All)
        {
            if (!series.StartsWith(Prefix, StringComparison.Ordinal))
            {
                continue;
            }
            var name = series[Prefix.Length..];
            if (name.StartsWith("pages_written", StringComparison.Ordinal))
            {
                written = value;
            }
            else if (name.StartsWith("pages_read", StringComparison.Ordinal))
            {
                read = value;
            }
            else if (name.StartsWith("commits", StringComparison.Ordinal))
            {
                commits = value;
            }
            else if (name.StartsWith("writes", StringComparison.Ordinal))
            {
                writes = value;
            }
            else if (name.StartsWith("commands", StringComparison.Ordinal))
            {
                commands = value;
            }
        }
        return new SqliteWriterTotals(written, read, commits, writes, commands);
    }
}
