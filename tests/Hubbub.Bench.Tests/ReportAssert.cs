using Hubbub.Bench;

namespace Hubbub.Bench.Tests;

/// <summary>Assertions on a bench run's report.</summary>
internal static class ReportAssert
{
    /// <summary>
    /// Fails with every failure of the run written whole: <c>Assert.Empty</c> cuts a collection's items to their first
    /// 50 characters, which leaves "bid refused: …" without the server's answer that says why.
    /// </summary>
    public static void NoFailures(BenchRunner.Report report) =>
        Assert.True(report.Failures.Count == 0, "the run failed:\n" + string.Join("\n", report.Failures));
}
