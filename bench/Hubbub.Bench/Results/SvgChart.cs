using System.Globalization;
using System.Text;

namespace Hubbub.Bench.Results;

/// <summary>
/// A plain SVG line chart written as text: one panel per series stacked over a shared x axis (minutes), each with its
/// own y axis, labels and a polyline, and an optional dashed line marking where a judgement starts.
/// </summary>
public static class SvgChart
{
    private const int Width = 900;
    private const int PanelHeight = 170;
    private const int Left = 80;
    private const int Right = 20;
    private const int Top = 40;
    private const int Gap = 40;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly string[] Colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];

    /// <summary>One panel's series.</summary>
    /// <param name="Title">The panel title, e.g. "server RSS".</param>
    /// <param name="Unit">The y unit, e.g. "MiB".</param>
    /// <param name="Values">One value per x.</param>
    public sealed record Series(string Title, string Unit, IReadOnlyList<double> Values);

    /// <summary>The SVG document for <paramref name="series"/> over <paramref name="minutes"/>.</summary>
    public static string Render(string title, IReadOnlyList<double> minutes, IReadOnlyList<Series> series, double? markMinute, string? markLabel)
    {
        var height = Top + series.Count * (PanelHeight + Gap) + 10;
        var plotWidth = Width - Left - Right;
        var xMax = minutes.Count > 0 ? Math.Max(minutes[^1], 1e-9) : 1;
        var sb = new StringBuilder();
        sb.AppendLine(Inv, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{height}" viewBox="0 0 {Width} {height}" font-family="sans-serif" font-size="12">""");
        sb.AppendLine(Inv, $"""<rect width="{Width}" height="{height}" fill="white"/>""");
        sb.AppendLine(Inv, $"""<text x="{Width / 2}" y="22" text-anchor="middle" font-size="15">{Escape(title)}</text>""");
        for (var p = 0; p < series.Count; p++)
        {
            var s = series[p];
            var top = Top + p * (PanelHeight + Gap);
            var bottom = top + PanelHeight;
            var values = s.Values;
            var yMin = values.Count > 0 ? values.Min() : 0;
            var yMax = values.Count > 0 ? values.Max() : 1;
            // Room above and below the line, and a span even for a flat line.
            var pad = Math.Max((yMax - yMin) * 0.1, Math.Max(Math.Abs(yMax) * 0.02, 1));
            yMin = Math.Max(0, yMin - pad);
            yMax += pad;
            double X(double minute) => Left + minute / xMax * plotWidth;
            double Y(double value) => bottom - (value - yMin) / (yMax - yMin) * PanelHeight;

            sb.AppendLine(Inv, $"""<text x="{Left}" y="{top - 8}" font-weight="bold">{Escape(s.Title)} ({Escape(s.Unit)})</text>""");
            sb.AppendLine(Inv, $"""<line x1="{Left}" y1="{bottom}" x2="{Left + plotWidth}" y2="{bottom}" stroke="black"/>""");
            sb.AppendLine(Inv, $"""<line x1="{Left}" y1="{top}" x2="{Left}" y2="{bottom}" stroke="black"/>""");
            for (var t = 0; t <= 4; t++)
            {
                var v = yMin + (yMax - yMin) * t / 4;
                var y = Y(v);
                sb.AppendLine(Inv, $"""<line x1="{Left - 4}" y1="{y:0.#}" x2="{Left + plotWidth}" y2="{y:0.#}" stroke="#ddd"/>""");
                sb.AppendLine(Inv, $"""<text x="{Left - 6}" y="{y + 4:0.#}" text-anchor="end">{Number(v)}</text>""");
            }
            for (var t = 0; t <= 6; t++)
            {
                var m = xMax * t / 6;
                sb.AppendLine(Inv, $"""<text x="{X(m):0.#}" y="{bottom + 15}" text-anchor="middle">{Number(m)}</text>""");
            }
            sb.AppendLine(Inv, $"""<text x="{Left + plotWidth}" y="{bottom + 30}" text-anchor="end">minutes</text>""");
            if (markMinute is { } mark)
            {
                sb.AppendLine(Inv, $"""<line x1="{X(mark):0.#}" y1="{top}" x2="{X(mark):0.#}" y2="{bottom}" stroke="#888" stroke-dasharray="5,4"/>""");
                if (p == 0 && markLabel is not null)
                {
                    sb.AppendLine(Inv, $"""<text x="{X(mark) + 4:0.#}" y="{top + 12}" fill="#555">{Escape(markLabel)}</text>""");
                }
            }
            var points = new StringBuilder();
            for (var i = 0; i < Math.Min(minutes.Count, values.Count); i++)
            {
                points.Append(Inv, $"{X(minutes[i]):0.#},{Y(values[i]):0.#} ");
            }
            sb.AppendLine(Inv, $"""<polyline fill="none" stroke="{Colors[p % Colors.Length]}" stroke-width="1.5" points="{points.ToString().TrimEnd()}"/>""");
        }
        sb.AppendLine("</svg>");
        return sb.ToString();
    }

    private static string Number(double v) => Math.Abs(v) >= 100 ? v.ToString("#,0", Inv) : Math.Abs(v) >= 10 ? v.ToString("0.0", Inv) : v.ToString("0.00", Inv);

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal);
}
