namespace Hubbub.Features.Gamification;

/// <summary>
/// Running sums of the numbers events carry (a board's <c>incr</c> score, an achievement's or a challenge's progress
/// from <c>data[field]</c>): each sum rounded to nine decimal places, so decimal inputs add up as they read. Binary
/// floating point makes 0.1 + 0.2 = 0.30000000000000004 and a hundred 0.1 km 9.99999999999998, which would leave a
/// threshold of 10 unreached and show boards with float noise; nine places keep every fraction an app sends (a
/// millisecond of a second, a gram of a kilogram) and drop the noise, which sits fifteen digits down.
/// </summary>
internal static class Sums
{
    /// <summary>Decimal places a sum keeps.</summary>
    public const int Places = 9;

    /// <summary><paramref name="total"/> + <paramref name="amount"/>, to <see cref="Places"/> decimal places.</summary>
    public static double Add(double total, double amount) => Math.Round(total + amount, Places, MidpointRounding.ToEven);
}
