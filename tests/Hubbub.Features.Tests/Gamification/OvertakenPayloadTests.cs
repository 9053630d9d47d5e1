using System.Text;
using System.Text.Json;
using CsCheck;
using Hubbub.Features.Gamification;
using Hubbub.Features.Gamification.Ranking;
using static Hubbub.Features.Gamification.GamificationJsonContext;

namespace Hubbub.Features.Tests.Gamification;

/// <summary>
/// An <c>overtaken</c> is built per pass without a serializer's run per user and whom a pass passed is merged without LINQ
/// (<see cref="OvertakenJson"/>, <see cref="Overtaking.Merge"/>, <see cref="Overtaking.Ranks"/>): the data on the wire is
/// byte for byte what the serializer writes, and the users told and their ranks are the ones the sorted merge gave.
/// </summary>
public sealed class OvertakenPayloadTests
{
    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.String[Gen.Char["abcXYZ019_-.:@ "], 0, 30],
        Gen.String[Gen.Char.AlphaNumeric, 1, 20],
        Gen.String); // any UTF-16, lone surrogates and control characters included

    [Fact]
    public void The_data_is_what_the_serializer_writes_byte_for_byte()
    {
        Gen.Select(Text, Text, Text, Gen.Long).Sample((board, by, name, rank) =>
        {
            var expected = JsonSerializer.Serialize(new Overtaken(board, by, name, rank), Default.Overtaken);
            var made = OvertakenJson.WithRank(OvertakenJson.Prefix(board, by, name), rank);
            Assert.Equal(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(made));
        });
    }

    [Fact]
    public void The_data_keeps_its_field_names_types_and_escaping()
    {
        var made = OvertakenJson.WithRank(OvertakenJson.Prefix("xp-weekly", "u-17", "Ada \"<A>\" é"), 4812);
        Assert.Equal("""{"board":"xp-weekly","by":"u-17","name":"Ada \u0022\u003CA\u003E\u0022 \u00E9","rank":4812}""", made);
        using var document = JsonDocument.Parse(made);
        Assert.Equal(JsonValueKind.Number, document.RootElement.GetProperty("rank").ValueKind);
        Assert.Equal("Ada \"<A>\" é", document.RootElement.GetProperty("name").GetString());
    }

    private sealed record Case(bool Ascending, double NewScore, double? OldScore, string Passer, RankedScore[] Behind,
        Dictionary<string, double> Moved, int Limit);

    // Small whole scores, so that ties (within the index, and of a moved user with anyone) are common.
    private static readonly Gen<Case> Cases =
        from asc in Gen.Bool
        from newScore in Gen.Int[0, 30]
        from hasOld in Gen.Bool
        from oldScore in Gen.Int[0, 30]
        from passer in Gen.Int[0, 40]
        from scores in Gen.Int[0, 30].Array[0, 40]
        from moved in Gen.Select(Gen.Int[0, 40], Gen.Int[0, 30]).Array[0, 8]
        from limit in Gen.Int[1, 12]
        let users = Enumerable.Range(0, 41).OrderBy(u => (u * 7919) % 41).Select(u => $"u{u}").ToArray()
        let ordered = (asc ? scores.OrderBy(s => s) : scores.OrderByDescending(s => s))
            .Select((s, i) => new RankedScore(i + 1, users[i], s, i + 1)).ToArray()
        select new Case(asc, newScore, hasOld ? oldScore : null, $"u{passer}", ordered,
            moved.GroupBy(m => $"u{m.Item1}").ToDictionary(g => g.Key, g => (double)g.Last().Item2, StringComparer.Ordinal), limit);

    [Fact]
    public void The_merge_tells_the_users_and_ranks_the_sorted_merge_told()
    {
        Cases.Sample(c =>
        {
            var pass = new Pass(null!, "all", new BoardSlot("b", "all", c.Ascending), c.OldScore, c.NewScore, RankBehind: 5);
            var expected = ReferenceMerge(c.Behind, c.Moved, c.Passer, pass, c.Limit);
            var merged = Overtaking.Merge(c.Behind, c.Moved, c.Passer, pass, c.Limit);
            if (expected is null)
            {
                Assert.Null(merged);
                return;
            }
            Assert.NotNull(merged);
            Assert.Equal(expected.Select(r => (r.User, r.Score)), merged.Select(r => (r.User, r.Score)));
            if (merged.Count > 0)
            {
                var ranks = ReferenceRanks(5, expected);
                Assert.Equal(expected.Select(r => ranks[r.Score]), Overtaking.Ranks(5, merged));
            }
        });
    }

    /// <summary>The merge as it was written before, with LINQ's stable sort and a set of the scores seen.</summary>
    private static List<ScoreRow>? ReferenceMerge(IReadOnlyList<RankedScore> behind, Dictionary<string, double> moved, string passer, Pass pass, int limit)
    {
        var ascending = pass.Slot.Ascending;
        bool Passed(double score) => (ascending ? score > pass.NewScore : score < pass.NewScore)
            && (pass.OldScore is not { } old || (ascending ? score <= old : score >= old));
        var rows = new List<ScoreRow>(limit);
        foreach (var entry in behind)
        {
            if (!Passed(entry.Score))
            {
                break;
            }
            if (entry.User != passer && !moved.ContainsKey(entry.User))
            {
                rows.Add(new ScoreRow { User = entry.User, Name = entry.User, Score = entry.Score });
            }
        }
        var scores = rows.Select(r => r.Score).ToHashSet();
        foreach (var (user, score) in moved)
        {
            if (Passed(score))
            {
                if (!scores.Add(score))
                {
                    return null;
                }
                rows.Add(new ScoreRow { User = user, Name = user, Score = score });
            }
        }
        var ordered = rows.OrderBy(r => r.Score, ascending ? Comparer<double>.Default : Comparer<double>.Create((a, b) => b.CompareTo(a)));
        return ordered.Take(limit).ToList();
    }

    private static Dictionary<double, long> ReferenceRanks(long first, List<ScoreRow> passed)
    {
        var ranks = new Dictionary<double, long> { [passed[0].Score] = first };
        for (var i = 1; i < passed.Count; i++)
        {
            ranks.TryAdd(passed[i].Score, first + i);
        }
        return ranks;
    }
}
