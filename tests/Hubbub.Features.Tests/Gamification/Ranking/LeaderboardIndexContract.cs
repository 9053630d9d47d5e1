using Hubbub.Features.Gamification;
using Hubbub.Features.Gamification.Ranking;
using Hubbub.Features.Kit;
using Hubbub.Features.Tests.Gamification;
using Microsoft.Extensions.DependencyInjection;

namespace Hubbub.Features.Tests.Gamification.Ranking;

/// <summary>
/// The contract every <see cref="ILeaderboardIndex"/> keeps, run against each implementation on a real server's
/// database (SQLite): shared ranks for ties with who reached the score first (then the user id) listed first, asc and
/// desc, a score that rises, falls or is replaced, around-me at the edges (first, last, alone, absent), out-of-order and
/// concurrent applies (the highest version wins), a build from the database (lazily, and again after an invalidation),
/// a board whose order changed, and a random history checked against a sort of the database's rows.
/// </summary>
public abstract partial class LeaderboardIndexContract(SqliteGame fixture)
{
    private FeatureDatabase Database => fixture.Chat.Server.Services.GetRequiredService<FeatureDatabase>();

    /// <summary>A fresh index of the implementation under test on <paramref name="database"/>.</summary>
    protected abstract ILeaderboardIndex Create(FeatureDatabase database);

    private static BoardSlot Board(bool ascending = false) => new(Game.Fresh("idx"), "all", ascending);

    /// <summary>Commits a score as the event pipeline does (the row, then its version) and applies it to the index.</summary>
    private async Task<IndexedScore> CommitAsync(ILeaderboardIndex index, BoardSlot board, string user, double score, long reachedMs, bool apply = true)
    {
        var version = await Database.WriteAsync(tx => ScoreStore.UpsertAsync(tx, board.Board, board.Period, user, score, reachedMs, CancellationToken.None));
        var committed = new IndexedScore(user, score, reachedMs, version);
        if (apply)
        {
            await index.ApplyAsync(board, committed);
        }
        return committed;
    }

    private static List<(long Rank, string User, double Score)> Rows(IReadOnlyList<RankedScore> page) => page.Select(r => (r.Rank, r.User, r.Score)).ToList();

    [Fact]
    public async Task Ties_share_a_rank_and_who_reached_the_score_first_then_the_user_id_is_listed_first()
    {
        var index = Create(Database);
        var board = Board();
        await index.TopAsync(board, 10); // built (empty) before the scores arrive: they come by apply
        await CommitAsync(index, board, "a", 10, 100);
        await CommitAsync(index, board, "c", 5, 200); // c reaches 5 before b
        await CommitAsync(index, board, "b", 5, 300);
        await CommitAsync(index, board, "e", 1, 400); // d and e reach 1 together: d first by id
        await CommitAsync(index, board, "d", 1, 400);

        Assert.Equal([(1L, "a", 10.0), (2L, "c", 5.0), (2L, "b", 5.0), (4L, "d", 1.0), (4L, "e", 1.0)], Rows(await index.TopAsync(board, 10)));
        Assert.Equal([(1L, "a", 10.0), (2L, "c", 5.0)], Rows(await index.TopAsync(board, 2)));
        Assert.Equal(new UserRank(2, 3, 5), await index.RankAsync(board, "b"));
        Assert.Equal(new UserRank(4, 5, 1), await index.RankAsync(board, "e"));
        Assert.Null(await index.RankAsync(board, "nobody"));
        Assert.Equal(5, await index.CountAsync(board));
        Assert.Equal(2, await index.RankOfScoreAsync(board, 6, null));
        Assert.Equal(2, await index.RankOfScoreAsync(board, 5, null)); // ties with c and b: their rank
        Assert.Equal(4, await index.RankOfScoreAsync(board, 2, null));
        Assert.Equal(1, await index.RankOfScoreAsync(board, 9, "a")); // a's own 10 left out
        Assert.Equal(2, await index.RankOfScoreAsync(board, 9, "b"));
        Assert.Equal(new long[] { 2, 1 }, await index.RanksOfScoresAsync(board, [5, 11], null)); // in one read, in the order asked
        Assert.Equal(new long[] { 1, 1, 3 }, await index.RanksOfScoresAsync(board, [9, 5, 1], "a")); // a's own 10 left out
        Assert.Empty(await index.RanksOfScoresAsync(board, [], "a"));
        // Scores are compared exactly: the double just below 5 ranks behind both 5s (what an event reads for the first
        // user it passed), the one just above ranks ahead of them.
        Assert.Equal(new long[] { 4, 2 }, await index.RanksOfScoresAsync(board, [Math.BitDecrement(5), Math.BitIncrement(5)], null));
        Assert.Equal(new long[] { 3 }, await index.RanksOfScoresAsync(board, [Math.BitDecrement(5)], "b")); // b's own 5 left out
    }

    [Fact]
    public async Task An_asc_board_ranks_the_lowest_first_and_a_rising_falling_or_replaced_score_moves_its_user()
    {
        var index = Create(Database);
        var board = Board(ascending: true);
        await CommitAsync(index, board, "a", 30.5, 1);
        await CommitAsync(index, board, "b", 12, 2);
        await CommitAsync(index, board, "c", 12, 3);
        Assert.Equal([(1L, "b", 12.0), (1L, "c", 12.0), (3L, "a", 30.5)], Rows(await index.TopAsync(board, 10)));
        Assert.Equal(1, await index.RankOfScoreAsync(board, -1, null));
        Assert.Equal(new long[] { 1, 1, 4 }, await index.RanksOfScoresAsync(board, [-1, 12, 31], null));
        Assert.Equal(new long[] { 3, 1 }, await index.RanksOfScoresAsync(board, [Math.BitIncrement(12), Math.BitDecrement(12)], null)); // exactly

        await CommitAsync(index, board, "a", 11, 4); // a better time (best, or set lower)
        Assert.Equal([(1L, "a", 11.0), (2L, "b", 12.0), (2L, "c", 12.0)], Rows(await index.TopAsync(board, 10)));
        await CommitAsync(index, board, "b", 40, 5); // set to a worse one
        Assert.Equal([(1L, "a", 11.0), (2L, "c", 12.0), (3L, "b", 40.0)], Rows(await index.TopAsync(board, 10)));
        await CommitAsync(index, board, "c", 11, 6); // ties a, reached later: listed after
        Assert.Equal([(1L, "a", 11.0), (1L, "c", 11.0), (3L, "b", 40.0)], Rows(await index.TopAsync(board, 10)));
        Assert.Equal(3, await index.CountAsync(board));

        var desc = Board();
        await CommitAsync(index, desc, "x", -2, 1); // incr by negative amounts, and zero
        await CommitAsync(index, desc, "y", 0, 2);
        await CommitAsync(index, desc, "x", 3, 3);
        Assert.Equal([(1L, "x", 3.0), (2L, "y", 0.0)], Rows(await index.TopAsync(desc, 10)));
    }

    [Fact]
    public async Task Around_a_user_stops_at_the_first_and_the_last_and_is_the_user_alone_or_nothing()
    {
        var index = Create(Database);
        var board = Board();
        for (var i = 0; i < 6; i++)
        {
            await CommitAsync(index, board, $"u{i}", 100 - i * 10, i); // u0 first … u5 last
        }
        Assert.Equal([(1L, "u0", 100.0), (2L, "u1", 90.0), (3L, "u2", 80.0)], Rows(await index.AroundAsync(board, "u0", 2)));
        Assert.Equal([(4L, "u3", 70.0), (5L, "u4", 60.0), (6L, "u5", 50.0)], Rows(await index.AroundAsync(board, "u5", 2)));
        Assert.Equal([(2L, "u1", 90.0), (3L, "u2", 80.0), (4L, "u3", 70.0), (5L, "u4", 60.0), (6L, "u5", 50.0)], Rows(await index.AroundAsync(board, "u3", 2)));
        Assert.Equal(6, (await index.AroundAsync(board, "u2", 50)).Count);
        Assert.Empty(await index.AroundAsync(board, "nobody", 5));

        var alone = Board();
        await CommitAsync(index, alone, "solo", 1, 1);
        Assert.Equal([(1L, "solo", 1.0)], Rows(await index.AroundAsync(alone, "solo", 5)));
        Assert.Equal([(1L, "solo", 1.0)], Rows(await index.TopAsync(alone, 5)));

        var empty = Board();
        Assert.Empty(await index.TopAsync(empty, 5));
        Assert.Equal(0, await index.CountAsync(empty));
        Assert.Equal(1, await index.RankOfScoreAsync(empty, 7, null));

        // Around a tie: the first of the window carries the tie's shared rank.
        var ties = Board();
        await CommitAsync(index, ties, "t1", 5, 1);
        await CommitAsync(index, ties, "t2", 5, 2);
        await CommitAsync(index, ties, "t3", 5, 3);
        await CommitAsync(index, ties, "t4", 4, 4);
        Assert.Equal([(1L, "t2", 5.0), (1L, "t3", 5.0), (4L, "t4", 4.0)], Rows(await index.AroundAsync(ties, "t3", 1)));
    }

    [Fact]
    public async Task An_older_score_applied_after_a_newer_one_is_ignored_and_concurrent_applies_keep_the_newest()
    {
        var index = Create(Database);
        var board = Board();
        await index.CountAsync(board);
        var first = await CommitAsync(index, board, "a", 10, 1, apply: false);
        var second = await CommitAsync(index, board, "a", 20, 2, apply: false);
        await CommitAsync(index, board, "b", 15, 3);
        await index.ApplyAsync(board, second);
        await index.ApplyAsync(board, first); // delivered late
        await index.ApplyAsync(board, second); // and twice
        Assert.Equal([(1L, "a", 20.0), (2L, "b", 15.0)], Rows(await index.TopAsync(board, 10)));

        // 40 versions of c applied from many threads in a shuffled order: the last committed one stands.
        List<IndexedScore> versions = [];
        for (var v = 0; v < 40; v++)
        {
            versions.Add(await CommitAsync(index, board, "c", v * 3 % 17, 10 + v, apply: false));
        }
        await Task.WhenAll(versions.OrderBy(_ => Random.Shared.Next()).Select(s => Task.Run(() => index.ApplyAsync(board, s))));
        var last = versions[^1];
        Assert.Equal(last.Score, (await index.RankAsync(board, "c"))!.Score);
        Assert.Equal(3, await index.CountAsync(board));
    }

    [Fact]
    public async Task A_board_is_built_from_the_database_on_first_use_and_again_after_an_invalidation()
    {
        var board = Board();
        for (var i = 0; i < 50; i++)
        {
            await CommitAsync(null!, board, $"r{i:D2}", i % 10, i, apply: false); // only in the database
        }
        var index = Create(Database);
        Assert.Equal(50, await index.CountAsync(board));
        var top = await index.TopAsync(board, 6);
        Assert.Equal([(1L, "r09", 9.0), (1L, "r19", 9.0), (1L, "r29", 9.0), (1L, "r39", 9.0), (1L, "r49", 9.0), (6L, "r08", 8.0)], Rows(top));
        Assert.Equal(new UserRank(46, 50, 0), await index.RankAsync(board, "r40"));

        // A score committed while the index was not told (a node that died after its commit): seen after an invalidation.
        await CommitAsync(index, board, "r40", 100, 60, apply: false);
        await index.InvalidateAsync(board);
        Assert.Equal(new UserRank(1, 1, 100), await index.RankAsync(board, "r40"));

        // The same board on an index that was never told anything agrees.
        var other = Create(Database);
        Assert.Equal(Rows(await index.TopAsync(board, 50)), Rows(await other.TopAsync(board, 50)));
    }

    [Fact]
    public async Task A_board_whose_order_changed_is_ranked_in_the_new_order()
    {
        var index = Create(Database);
        var desc = Board();
        await CommitAsync(index, desc, "a", 1, 1);
        await CommitAsync(index, desc, "b", 2, 2);
        Assert.Equal("b", (await index.TopAsync(desc, 1))[0].User);
        var asc = desc with { Ascending = true };
        Assert.Equal([(1L, "a", 1.0), (2L, "b", 2.0)], Rows(await index.TopAsync(asc, 5)));
        await CommitAsync(index, asc, "c", 0, 3);
        Assert.Equal([(1L, "c", 0.0), (2L, "a", 1.0), (3L, "b", 2.0)], Rows(await index.TopAsync(asc, 5)));
        Assert.Equal([(1L, "b", 2.0), (2L, "a", 1.0), (3L, "c", 0.0)], Rows(await index.TopAsync(desc, 5))); // and back
    }

    [Fact]
    public async Task A_random_history_ranks_as_a_sort_of_the_database_rows_does()
    {
        var random = new Random(15);
        var index = Create(Database);
        foreach (var ascending in new[] { false, true })
        {
            var board = Board(ascending);
            for (var n = 0; n < 300; n++)
            {
                await CommitAsync(index, board, $"p{random.Next(40):D2}", random.Next(12), random.Next(5));
            }
            var rows = await Database.ReadAsync(tx => ScoreStore.AllAsync(tx, board.Board, board.Period, CancellationToken.None));
            var sorted = rows.OrderBy(r => ascending ? r.Score : -r.Score).ThenBy(r => r.ReachedMs).ThenBy(r => r.User, StringComparer.Ordinal).ToList();
            var expected = sorted.Select(r => (1L + sorted.Count(o => ascending ? o.Score < r.Score : o.Score > r.Score), r.User, r.Score)).ToList();
            Assert.Equal(expected, Rows(await index.TopAsync(board, 100)));
            foreach (var (i, row) in sorted.Index())
            {
                Assert.Equal(new UserRank(expected[i].Item1, i + 1, row.Score), await index.RankAsync(board, row.User));
            }
            var middle = sorted[sorted.Count / 2].User;
            Assert.Equal(expected.Skip(sorted.Count / 2 - 3).Take(7).ToList(), Rows(await index.AroundAsync(board, middle, 3)));
        }
    }

    [Fact]
    public async Task Pages_from_any_position_keep_shared_ranks_across_their_boundaries_and_end_empty()
    {
        var index = Create(Database);
        foreach (var ascending in new[] { false, true })
        {
            var board = Board(ascending);
            // desc: 10, 5, 5, 5, 1, 1, 0 ranks 1, 2, 2, 2, 5, 5, 7 (asc: 0, 5, 5, 5, 9, 9, 10, the same ranks).
            double[] scores = [10, 5, 5, 5, 1, 1, 0];
            foreach (var (i, score) in scores.Index())
            {
                await CommitAsync(index, board, $"p{i}", ascending ? 10 - score : score, i);
            }
            var whole = await index.RangeAsync(board, 0, 100);
            Assert.Equal([1L, 2, 2, 2, 5, 5, 7], whole.Select(r => r.Rank));
            Assert.Equal([1L, 2, 3, 4, 5, 6, 7], whole.Select(r => r.Position));
            Assert.Equal(Rows(await index.TopAsync(board, 100)), Rows(whole));
            foreach (var size in new[] { 1, 2, 3, 7 })
            {
                List<RankedScore> walked = [];
                for (long start = 0; start < scores.Length; start += size)
                {
                    walked.AddRange(await index.RangeAsync(board, start, size)); // each page ranks its first row afresh
                }
                Assert.Equal(Rows(whole), Rows(walked));
                Assert.Equal(whole.Select(r => r.Position), walked.Select(r => r.Position));
            }
            Assert.Equal([(2L, "p3", 5.0)], Rows(await index.RangeAsync(board, 3, 1))); // the tie's last, alone on its page
            Assert.Empty(await index.RangeAsync(board, 7, 5));
            Assert.Empty(await index.RangeAsync(board, int.MaxValue, 100));
            Assert.Equal(5, (await index.RangeAsync(board, 2, 5)).Count);
            Assert.Equal(3, (await index.RangeAsync(board, 4, 100)).Count);
            Assert.Equal([4L, 5, 6], (await index.AroundAsync(board, "p4", 1)).Select(r => r.Position)); // where a page after a window starts
        }
    }

    [Fact]
    public async Task Around_counted_is_the_window_of_around_with_the_boards_size_at_the_edges_alone_and_absent()
    {
        var index = Create(Database);
        var board = Board();
        for (var i = 0; i < 6; i++)
        {
            await CommitAsync(index, board, $"c{i}", 100 - i * 10, i);
        }
        foreach (var (user, limit) in new[] { ("c0", 2), ("c3", 1), ("c5", 2), ("c2", 50) })
        {
            var (rows, count) = await index.AroundCountedAsync(board, user, limit);
            var around = await index.AroundAsync(board, user, limit);
            Assert.Equal(Rows(around), Rows(rows));
            Assert.Equal(around.Select(r => r.Position), rows.Select(r => r.Position));
            Assert.Equal(6, count);
        }
        var (none, held) = await index.AroundCountedAsync(board, "nobody", 5);
        Assert.Empty(none);
        Assert.Equal(6, held);

        var alone = Board();
        await CommitAsync(index, alone, "solo", 1, 1);
        var (only, one) = await index.AroundCountedAsync(alone, "solo", 5);
        Assert.Equal([(1L, "solo", 1.0)], Rows(only));
        Assert.Equal(1, one);
        Assert.Equal(0, (await index.AroundCountedAsync(Board(), "solo", 5)).Count);
    }

    [Fact]
    public async Task Behind_a_score_are_the_entries_strictly_worse_nearest_first_bounded_and_read_with_the_ranks_in_one_call()
    {
        var index = Create(Database);
        foreach (var ascending in new[] { false, true })
        {
            var board = Board(ascending);
            // desc: a 10, c 5 (reached before b), b 5, d 1, e 1 (d and e together: d first by id); asc: 10 - each.
            double S(double score) => ascending ? 10 - score : score;
            await CommitAsync(index, board, "a", S(10), 100);
            await CommitAsync(index, board, "c", S(5), 200);
            await CommitAsync(index, board, "b", S(5), 300);
            await CommitAsync(index, board, "e", S(1), 400);
            await CommitAsync(index, board, "d", S(1), 400);

            // Several passed, ties in the board's order with their shared ranks, nearest first.
            var passed = (await index.BehindAsync(board, S(6), 10))!;
            Assert.Equal([(2L, "c", S(5)), (2L, "b", S(5)), (4L, "d", S(1)), (4L, "e", S(1))], Rows(passed));
            Assert.Equal([2L, 3, 4, 5], passed.Select(r => r.Position));
            // Bounded: the nearest only, a tie cut where the bound falls.
            Assert.Equal([(2L, "c", S(5))], Rows((await index.BehindAsync(board, S(6), 1))!));
            Assert.Equal([(2L, "c", S(5)), (2L, "b", S(5)), (4L, "d", S(1))], Rows((await index.BehindAsync(board, S(6), 3))!));
            // A tie is not behind: strictly worse only.
            Assert.Equal([(4L, "d", S(1)), (4L, "e", S(1))], Rows((await index.BehindAsync(board, S(5), 10))!));
            // The edges: ahead of the first, everyone; level with or behind the last, nobody; no limit, nobody.
            Assert.Equal(["a", "c", "b", "d", "e"], (await index.BehindAsync(board, S(11), 10))!.Select(r => r.User));
            Assert.Empty((await index.BehindAsync(board, S(1), 10))!);
            Assert.Empty((await index.BehindAsync(board, S(0), 10))!);
            Assert.Empty((await index.BehindAsync(board, S(6), 0))!);
            // Scores are compared exactly: the double just ahead of 5 has both 5s behind it.
            var justAhead = ascending ? Math.BitDecrement(S(5)) : Math.BitIncrement(S(5));
            Assert.Equal(["c", "b", "d", "e"], (await index.BehindAsync(board, justAhead, 10))!.Select(r => r.User));
            var justBehind = ascending ? Math.BitIncrement(S(5)) : Math.BitDecrement(S(5));

            // With the ranks, in one read: the same answers as the two reads apart, the user left out of the ranks only.
            double[] scores = [S(5), S(6), justBehind];
            var read = await index.RanksAndBehindAsync(board, scores, "b", [], S(6), 3);
            Assert.Equal(await index.RanksOfScoresAsync(board, scores, "b"), read.Ranks);
            Assert.Equal(new long[] { 2, 2, 3 }, read.Ranks); // b's own 5 left out: the just-behind score ranks behind a and c
            Assert.Equal(Rows((await index.BehindAsync(board, S(6), 3))!), Rows(read.Behind!));
            Assert.Equal((await index.BehindAsync(board, S(6), 3))!.Select(r => r.Position), read.Behind!.Select(r => r.Position));
            var ranksOnly = await index.RanksAndBehindAsync(board, [S(6)], null, [], S(6), 0);
            Assert.Equal(new long[] { 2 }, ranksOnly.Ranks);
            Assert.Null(ranksOnly.Behind); // not asked
            var nobodyBehind = await index.RanksAndBehindAsync(board, [S(0)], "a", [], S(0), 10);
            Assert.Equal(new long[] { 5 }, nobodyBehind.Ranks); // a left out: c, b, d, e ahead
            Assert.Empty(nobodyBehind.Behind!);
        }

        var empty = Board();
        Assert.Empty((await index.BehindAsync(empty, 5, 10))!);
        var alone = await index.RanksAndBehindAsync(empty, [5], "x", [], 5, 10);
        Assert.Equal(new long[] { 1 }, alone.Ranks);
        Assert.Empty(alone.Behind!);
    }
}
