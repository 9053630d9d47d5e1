using CsCheck;
using Hubbub.Features.Gamification;
using Hubbub.Features.Gamification.Ranking;

namespace Hubbub.Features.Tests.Gamification.Ranking;

/// <summary>
/// The contract's part on the changes the index may not hold yet (<see cref="UncommittedScores.Pending"/>), read with
/// ranks (<see cref="ILeaderboardIndex.RanksAndBehindAsync"/>): each counts once, at its latest score, whatever applies
/// land between taking them and the read, or during the read; every rank read equals the rank recomputed from the
/// database's rows. Applies and their <see cref="UncommittedScores.Applied"/> are interleaved at random, one step at a
/// time (every order of the atomic steps, shrunk on failure) and on threads of their own (real races).
/// </summary>
public abstract partial class LeaderboardIndexContract
{
    /// <summary>The scores whose ranks every read asks: each a score the users can hold (ties), or one between two.</summary>
    private static readonly double[] Probes = [-1, 0, 1, 1.5, 2, 3, 4, 5, 6, 7];

    [Fact]
    public async Task A_pending_change_counts_at_its_score_unless_the_index_holds_that_version_or_a_newer_one()
    {
        var index = Create(Database);
        var board = Board();
        await index.TopAsync(board, 10);
        var a1 = await CommitAsync(index, board, "a", 10, 100);
        await CommitAsync(index, board, "b", 5, 200);
        var a2 = await CommitAsync(index, board, "a", 3, 300, apply: false); // a: 10 → 3, not applied yet
        var c1 = await CommitAsync(index, board, "c", 7, 400, apply: false); // c new at 7, not applied yet
        PendingScore[] pending = [new("a", 3, a2.Version), new("c", 7, c1.Version)];
        double[] scores = [8, 6, 4, 2];

        // The rows: c 7, b 5, a 3; the index alone: a 10, b 5.
        Assert.Equal(new long[] { 2, 2, 3, 3 }, await index.RanksOfScoresAsync(board, scores, null));
        Assert.Equal(new long[] { 1, 2, 3, 4 }, (await index.RanksAndBehindAsync(board, scores, null, pending, 0, 0)).Ranks);
        // The left-out user's pending change does not count either.
        Assert.Equal(new long[] { 1, 1, 2, 3 }, (await index.RanksAndBehindAsync(board, scores, "c", pending, 0, 0)).Ranks);
        // Applied (the entries not gone yet): counted once, by the index.
        await index.ApplyAsync(board, a2);
        await index.ApplyAsync(board, c1);
        Assert.Equal(new long[] { 1, 2, 3, 4 }, (await index.RanksAndBehindAsync(board, scores, null, pending, 0, 0)).Ranks);
        // A pending version older than the one held (a newer one applied) does not count.
        Assert.Equal(new long[] { 1, 2, 3, 4 },
            (await index.RanksAndBehindAsync(board, scores, null, [new("a", 10, a1.Version)], 0, 0)).Ranks);
        // The entries behind are the applied ones, read in the same call.
        var read = await index.RanksAndBehindAsync(board, [8], null, [new("b", 9, 99)], 8, 5);
        Assert.Equal(new long[] { 2 }, read.Ranks); // b's 9 pending
        Assert.Equal(["c", "b", "a"], read.Behind!.Select(r => r.User));
    }

    private enum Op { Write, Land, Ack, Take, Read }

    private sealed record Step(Op Op, int User, int Value)
    {
        public override string ToString() => $"{Op}({User},{Value})";
    }

    private static readonly Gen<Step> StepGen = Gen.Select(Gen.Int[0, 10], Gen.Int[0, 4], Gen.Int[0, 6], (kind, user, value) =>
        new Step(kind switch { <= 2 => Op.Write, <= 4 => Op.Land, <= 6 => Op.Ack, <= 8 => Op.Take, _ => Op.Read }, user, value));

    private static readonly Gen<(bool Ascending, bool Built, Step[] Steps)> Histories = Gen.Select(Gen.Bool, Gen.Bool, StepGen.Array[4, 40]);

    [Fact]
    public async Task Ranks_read_with_the_pending_changes_equal_the_rows_whatever_applies_land_between_taking_them_and_the_read()
    {
        var raced = 0;
        var reads = 0;
        await Histories.SampleAsync(async history =>
        {
            var (ascending, built, steps) = history;
            var index = Create(Database);
            var uncommitted = new UncommittedScores();
            var board = Board(ascending);
            if (built)
            {
                await index.TopAsync(board, 1); // otherwise the first read builds it from the rows, applies landing or not
            }
            var rows = new Dictionary<string, double>(StringComparer.Ordinal);
            List<IndexedScore> unlanded = [], landed = [];
            (string User, IReadOnlyList<PendingScore> Pending, bool Raced)? taken = null;
            foreach (var step in steps)
            {
                var user = $"u{step.User}";
                switch (step.Op)
                {
                    // SQLite's one writer: no write between taking an event's pending changes and its read.
                    case Op.Write when taken is null:
                        unlanded.Add(await WriteAsync(uncommitted, board, user, step.Value));
                        rows[user] = step.Value;
                        break;
                    case Op.Land when unlanded.Count > 0:
                        var landing = unlanded[step.Value % unlanded.Count];
                        unlanded.Remove(landing);
                        await index.ApplyAsync(board, landing);
                        landed.Add(landing);
                        taken = taken is { } t ? t with { Raced = true } : null;
                        break;
                    case Op.Ack when landed.Count > 0:
                        var acked = landed[step.Value % landed.Count];
                        landed.Remove(acked);
                        uncommitted.Applied(board, acked);
                        taken = taken is { } u ? u with { Raced = true } : null;
                        break;
                    case Op.Take when taken is null:
                        taken = (user, await PendingAsync(uncommitted, board, user), false);
                        break;
                    case Op.Read when taken is { } read:
                        Assert.Equal(Expected(rows, read.User, ascending),
                            (await index.RanksAndBehindAsync(board, Probes, read.User, read.Pending, 0, 0)).Ranks);
                        Interlocked.Increment(ref reads);
                        if (read.Raced)
                        {
                            Interlocked.Increment(ref raced);
                        }
                        taken = null;
                        break;
                }
            }
            // Everything landed and acknowledged: the index alone holds the rows.
            foreach (var score in unlanded)
            {
                await index.ApplyAsync(board, score);
                uncommitted.Applied(board, score);
            }
            foreach (var score in landed)
            {
                uncommitted.Applied(board, score);
            }
            Assert.Empty(await PendingAsync(uncommitted, board, ""));
            Assert.Equal(Expected(rows, null, ascending), await index.RanksOfScoresAsync(board, Probes, null));
        }, iter: 60, threads: 1, print: h => $"{(h.Ascending ? "asc" : "desc")} {(h.Built ? "built" : "unbuilt")} {string.Join(" ", h.Steps.Select(s => s.ToString()))}");
        // Not vacuous: reads were made with applies landing (or acknowledged) between taking the changes and the read.
        Assert.True(raced > 10, $"{raced} of {reads} reads raced an apply");
    }

    [Fact]
    public async Task Ranks_read_while_applies_land_on_other_threads_equal_the_rows()
    {
        var index = Create(Database);
        var uncommitted = new UncommittedScores();
        var board = Board();
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var rows = new Dictionary<string, double>(StringComparer.Ordinal);
        var reads = 0;
        for (var round = 0; round < 40; round++)
        {
            var written = new List<IndexedScore>();
            for (var i = random.Next(1, 6); i > 0; i--)
            {
                var user = $"u{random.Next(6)}";
                var score = random.Next(7);
                written.Add(await WriteAsync(uncommitted, board, user, score));
                rows[user] = score;
            }
            // Each apply, then its acknowledgement, on the pool in any order, while this thread reads.
            var order = written.OrderBy(_ => random.Next()).ToList();
            var applying = Task.WhenAll(order.Select(score => Task.Run(async () =>
            {
                await index.ApplyAsync(board, score);
                uncommitted.Applied(board, score);
            })));
            do
            {
                var except = $"u{random.Next(7)}";
                var pending = await PendingAsync(uncommitted, board, except);
                var ranks = (await index.RanksAndBehindAsync(board, Probes, except, pending, 0, 0)).Ranks;
                Assert.True(Expected(rows, except, false).SequenceEqual(ranks),
                    $"seed {seed}, round {round}: {string.Join(",", ranks)} for {string.Join(",", Expected(rows, except, false))}");
                reads++;
            }
            while (!applying.IsCompleted);
            await applying;
        }
        Assert.True(reads >= 40);
    }

    /// <summary>Commits <paramref name="user"/>'s score and records it as pending in the same transaction, as an event does.</summary>
    private async Task<IndexedScore> WriteAsync(UncommittedScores uncommitted, BoardSlot board, string user, double score)
    {
        var reachedMs = Interlocked.Increment(ref _reachedMs);
        var version = await Database.WriteAsync(async tx =>
        {
            var version = await ScoreStore.UpsertAsync(tx, board.Board, board.Period, user, score, reachedMs, CancellationToken.None);
            uncommitted.Record(tx, board, user, score, version);
            return version;
        });
        return new IndexedScore(user, score, reachedMs, version);
    }

    private long _reachedMs;

    private Task<IReadOnlyList<PendingScore>> PendingAsync(UncommittedScores uncommitted, BoardSlot board, string exceptUser) =>
        Database.ReadAsync(tx => Task.FromResult(uncommitted.Pending(tx, board, exceptUser)));

    /// <summary>1 + the rows (but <paramref name="exceptUser"/>'s) strictly better than each probe.</summary>
    private static long[] Expected(Dictionary<string, double> rows, string? exceptUser, bool ascending) =>
        Probes.Select(probe => 1L + rows.Count(row => row.Key != exceptUser && (ascending ? row.Value < probe : row.Value > probe))).ToArray();
}
