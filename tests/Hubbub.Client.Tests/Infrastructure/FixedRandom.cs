namespace Hubbub.Client.Tests.Infrastructure;

/// <summary>A Random whose NextDouble always returns <paramref name="value"/>, so jittered delays are exact.</summary>
public sealed class FixedRandom(double value) : Random
{
    public override double NextDouble() => value;
}
