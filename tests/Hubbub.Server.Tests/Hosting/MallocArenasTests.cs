using Hubbub.Server.Hosting;

namespace Hubbub.Server.Tests.Hosting;

/// <summary>The server caps glibc's malloc arenas at startup unless the operator chose a cap (docs/performance.md, "Soak").</summary>
public sealed class MallocArenasTests
{
    [Fact]
    public void On_glibc_the_cap_is_set_when_the_operator_did_not_choose()
    {
        if (!OperatingSystem.IsLinux() || MallocArenas.OperatorChose(Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX"),
                Environment.GetEnvironmentVariable("GLIBC_TUNABLES")) || !File.Exists("/proc/self/maps")
            || !File.ReadAllText("/proc/self/maps").Contains("libc.so.6", StringComparison.Ordinal))
        {
            return; // not glibc, or this test run sets the cap itself: nothing of ours to check
        }
        Assert.True(MallocArenas.Limit()); // mallopt accepted M_ARENA_MAX = 2
    }

    [Fact]
    public void On_glibc_a_trim_runs()
    {
        if (!OperatingSystem.IsLinux() || !File.ReadAllText("/proc/self/maps").Contains("libc.so.6", StringComparison.Ordinal))
        {
            return;
        }
        Assert.True(MallocArenas.Trim());
    }

    [Fact]
    public void A_negative_trim_interval_is_refused()
    {
        var errors = new Hubbub.Core.HubbubOptions { NativeMemoryTrimSeconds = -1 }.Validate();
        Assert.Contains(errors, e => e.Contains("NativeMemoryTrimSeconds", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, null, false)]
    [InlineData("", "", false)]
    [InlineData("4", null, true)]
    [InlineData(null, "glibc.malloc.arena_max=8", true)]
    [InlineData(null, "glibc.malloc.tcache_count=0", false)]
    public void An_operators_choice_is_kept(string? mallocArenaMax, string? tunables, bool chose) =>
        Assert.Equal(chose, MallocArenas.OperatorChose(mallocArenaMax, tunables));
}
