using System.Globalization;
using System.Net;
using System.Text;

namespace FunctionsDrift.Cli.Reporting;

/// <summary>One group of values in a histogram.</summary>
internal sealed record HistogramSeries(string Label, string Color, IReadOnlyList<double> Values);

/// <summary>One point of a rate-over-time plot, with its confidence interval.</summary>
internal sealed record RatePoint(DateTimeOffset Start, double Rate, double Low, double High, int Count);

/// <summary>One line of a <see cref="SvgPlot.Lines"/> plot: (x, share) points, dashed or solid.</summary>
internal sealed record LineSeries(string Label, string Color, IReadOnlyList<(double X, double Y)> Points, bool Dashed = false);

/// <summary>
/// Dependency-free inline SVG plots. Every plot carries a <c>data-plot</c> attribute so tests (and a headless browser) can find it.
/// </summary>
internal static class SvgPlot
{
    private const int W = 580, H = 290, Left = 54, Right = 16, Top = 52, Bottom = 44;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static string F(double v) => v.ToString("0.##", Inv);
    private static string E(string s) => WebUtility.HtmlEncode(s);

    /// <summary>True when a log x axis suits the values: all positive and spanning at least two decades.</summary>
    public static bool UseLogScale(IEnumerable<double> values)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (var v in values)
        {
            if (!double.IsFinite(v)) continue;
            if (v <= 0) return false;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        return double.IsFinite(min) && max / min >= 100;
    }

    /// <summary>Overlaid step histograms (share of each group per bin) with the threshold as a vertical dashed line.</summary>
    public static string Histogram(string id, string title, IReadOnlyList<HistogramSeries> series, double threshold, int bins = 40)
    {
        var all = series.SelectMany(s => s.Values).Where(double.IsFinite).Append(threshold).Where(double.IsFinite).ToList();
        bool log = UseLogScale(all);
        Func<double, double> tx = log ? Math.Log10 : v => v;
        double lo = all.Count > 0 ? all.Min(tx) : 0, hi = all.Count > 0 ? all.Max(tx) : 1;
        if (hi - lo < 1e-12) { lo -= 0.5; hi += 0.5; }
        double pad = (hi - lo) * 0.03;
        lo -= pad; hi += pad;
        double width = (hi - lo) / bins;

        var shares = series.Select(s =>
        {
            var counts = new double[bins];
            int n = 0;
            foreach (var v in s.Values)
            {
                if (!double.IsFinite(v) || (log && v <= 0)) continue;
                int b = Math.Clamp((int)((tx(v) - lo) / width), 0, bins - 1);
                counts[b]++;
                n++;
            }
            return (Counts: n > 0 ? counts.Select(c => c / n).ToArray() : counts, N: n);
        }).ToList();
        double ymax = NiceMax(shares.SelectMany(s => s.Counts).DefaultIfEmpty(0).Max() * 1.05);

        double px(double t) => Left + (t - lo) / (hi - lo) * (W - Left - Right);
        double py(double share) => H - Bottom - share / ymax * (H - Top - Bottom);

        var sb = new StringBuilder();
        sb.Append(Inv, $"<svg data-plot=\"{E(id)}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" role=\"img\" aria-label=\"{E(title)}\">");
        sb.Append(Inv, $"<title>{E(title)}</title><rect width=\"{W}\" height=\"{H}\" fill=\"#fff\"/>");
        sb.Append(Inv, $"<text x=\"{Left}\" y=\"20\" class=\"pt\">{E(title)}</text>");
        // Axes and grid.
        foreach (var (t, label) in XTicks(lo, hi, log))
        {
            double x = px(t);
            sb.Append(Inv, $"<line x1=\"{F(x)}\" y1=\"{Top}\" x2=\"{F(x)}\" y2=\"{H - Bottom}\" class=\"grid\"/>");
            sb.Append(Inv, $"<text x=\"{F(x)}\" y=\"{H - Bottom + 16}\" text-anchor=\"middle\" class=\"tick\">{E(label)}</text>");
        }
        double lead = ymax / Math.Pow(10, Math.Floor(Math.Log10(ymax) + 1e-9));
        int steps = Math.Abs(lead - 2) < 1e-6 || Math.Abs(lead - 4) < 1e-6 || Math.Abs(lead - 8) < 1e-6 ? 4 : 5;
        for (int k = 0; k <= steps; k++)
        {
            double share = ymax * k / steps;
            double y = py(share);
            sb.Append(Inv, $"<line x1=\"{Left}\" y1=\"{F(y)}\" x2=\"{W - Right}\" y2=\"{F(y)}\" class=\"grid\"/>");
            sb.Append(Inv, $"<text x=\"{Left - 6}\" y=\"{F(y + 4)}\" text-anchor=\"end\" class=\"tick\">{share * 100:0.#}%</text>");
        }
        sb.Append(Inv, $"<text x=\"{(Left + W - Right) / 2}\" y=\"{H - 8}\" text-anchor=\"middle\" class=\"axis\">score{(log ? " (log scale)" : "")}</text>");
        sb.Append(Inv, $"<text transform=\"translate(14 {(Top + H - Bottom) / 2}) rotate(-90)\" text-anchor=\"middle\" class=\"axis\">share of images</text>");
        // Step outlines, filled.
        for (int s = 0; s < series.Count; s++)
        {
            if (shares[s].N == 0) continue;
            var path = new StringBuilder();
            path.Append(Inv, $"M{F(px(lo))},{F(py(0))}");
            for (int b = 0; b < bins; b++)
            {
                double y = py(shares[s].Counts[b]);
                path.Append(Inv, $" L{F(px(lo + b * width))},{F(y)} L{F(px(lo + (b + 1) * width))},{F(y)}");
            }
            path.Append(Inv, $" L{F(px(hi))},{F(py(0))} Z");
            sb.Append(Inv, $"<path d=\"{path}\" fill=\"{series[s].Color}\" fill-opacity=\"0.28\" stroke=\"{series[s].Color}\" stroke-width=\"1.4\" data-series=\"{E(series[s].Label)}\"/>");
        }
        sb.Append(Inv, $"<line x1=\"{Left}\" y1=\"{H - Bottom}\" x2=\"{W - Right}\" y2=\"{H - Bottom}\" class=\"frame\"/>");
        // Threshold.
        if (double.IsFinite(threshold) && (!log || threshold > 0))
        {
            double x = px(tx(threshold));
            sb.Append(Inv, $"<line data-threshold=\"{threshold.ToString("G6", Inv)}\" x1=\"{F(x)}\" y1=\"{Top - 4}\" x2=\"{F(x)}\" y2=\"{H - Bottom}\" stroke=\"#c0392b\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>");
            bool right = x < W - 150;
            sb.Append(Inv, $"<text x=\"{F(right ? x + 5 : x - 5)}\" y=\"{Top + 10}\" text-anchor=\"{(right ? "start" : "end")}\" class=\"thr\">threshold {E(Number(threshold))}</text>");
        }
        // Legend: one row under the title, outside the plot area.
        double lx = Left;
        for (int s = 0; s < series.Count; s++)
        {
            string text = $"{series[s].Label} (n={shares[s].N})";
            sb.Append(Inv, $"<rect x=\"{F(lx)}\" y=\"29\" width=\"12\" height=\"10\" fill=\"{series[s].Color}\" fill-opacity=\"0.5\" stroke=\"{series[s].Color}\"/>");
            sb.Append(Inv, $"<text x=\"{F(lx + 16)}\" y=\"38\" class=\"legend\">{E(text)}</text>");
            lx += 16 + text.Length * 6.3 + 14;
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    /// <summary>Flag rate per time bucket with a shaded confidence band and the expected false-alarm rate dashed.</summary>
    public static string RateOverTime(string id, string title, IReadOnlyList<RatePoint> points, double expected)
    {
        var sb = new StringBuilder();
        sb.Append(Inv, $"<svg data-plot=\"{E(id)}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W * 2} {H}\" width=\"{W * 2}\" height=\"{H}\" role=\"img\" aria-label=\"{E(title)}\">");
        sb.Append(Inv, $"<title>{E(title)}</title><rect width=\"{W * 2}\" height=\"{H}\" fill=\"#fff\"/>");
        sb.Append(Inv, $"<text x=\"{Left}\" y=\"20\" class=\"pt\">{E(title)}</text>");
        int w = W * 2;
        if (points.Count == 0)
        {
            sb.Append("</svg>");
            return sb.ToString();
        }
        double t0 = points[0].Start.ToUnixTimeSeconds(), t1 = points[^1].Start.ToUnixTimeSeconds();
        if (t1 - t0 < 1) { t0 -= 1; t1 += 1; }
        double ymax = Math.Min(1, Math.Max(Math.Max(expected * 2, 0.05), points.Max(p => p.High) * 1.1));
        double px(DateTimeOffset t) => Left + (t.ToUnixTimeSeconds() - t0) / (t1 - t0) * (w - Left - Right - 10) + 5;
        double py(double r) => H - Bottom - r / ymax * (H - Top - Bottom);
        for (int k = 0; k <= 4; k++)
        {
            double r = ymax * k / 4;
            sb.Append(Inv, $"<line x1=\"{Left}\" y1=\"{F(py(r))}\" x2=\"{w - Right}\" y2=\"{F(py(r))}\" class=\"grid\"/>");
            sb.Append(Inv, $"<text x=\"{Left - 6}\" y=\"{F(py(r) + 4)}\" text-anchor=\"end\" class=\"tick\">{r * 100:0.#}%</text>");
        }
        var tickIdx = points.Count <= 6 ? Enumerable.Range(0, points.Count) : Enumerable.Range(0, 6).Select(i => i * (points.Count - 1) / 5).Distinct();
        bool multiDay = points[^1].Start - points[0].Start > TimeSpan.FromDays(2);
        foreach (int i in tickIdx)
        {
            double x = px(points[i].Start);
            string label = points[i].Start.UtcDateTime.ToString(multiDay ? "MM-dd" : "MM-dd HH:mm", Inv);
            sb.Append(Inv, $"<text x=\"{F(x)}\" y=\"{H - Bottom + 16}\" text-anchor=\"middle\" class=\"tick\">{label}</text>");
        }
        sb.Append(Inv, $"<text x=\"{w / 2}\" y=\"{H - 8}\" text-anchor=\"middle\" class=\"axis\">window start (UTC)</text>");
        sb.Append(Inv, $"<text transform=\"translate(14 {(Top + H - Bottom) / 2}) rotate(-90)\" text-anchor=\"middle\" class=\"axis\">flagged images</text>");
        var band = string.Join(" ", points.Select(p => $"{F(px(p.Start))},{F(py(p.High))}").Concat(points.AsEnumerable().Reverse().Select(p => $"{F(px(p.Start))},{F(py(p.Low))}")));
        sb.Append(Inv, $"<polygon points=\"{band}\" fill=\"#2e86de\" fill-opacity=\"0.18\"/>");
        sb.Append(Inv, $"<polyline points=\"{string.Join(" ", points.Select(p => $"{F(px(p.Start))},{F(py(p.Rate))}"))}\" fill=\"none\" stroke=\"#2e86de\" stroke-width=\"2\"/>");
        foreach (var p in points)
        {
            sb.Append(Inv, $"<circle cx=\"{F(px(p.Start))}\" cy=\"{F(py(p.Rate))}\" r=\"3\" fill=\"#2e86de\"><title>{p.Start.UtcDateTime.ToString("u", Inv)}: {p.Rate:P1} of {p.Count} (95 % CI {p.Low:P1}–{p.High:P1})</title></circle>");
        }
        sb.Append(Inv, $"<line x1=\"{Left}\" y1=\"{F(py(expected))}\" x2=\"{w - Right}\" y2=\"{F(py(expected))}\" stroke=\"#c0392b\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>");
        sb.Append(Inv, $"<text x=\"{w - Right - 4}\" y=\"{F(py(expected) - 5)}\" text-anchor=\"end\" class=\"thr\">target false-alarm rate {expected:P1}</text>");
        sb.Append(Inv, $"<line x1=\"{Left}\" y1=\"{H - Bottom}\" x2=\"{w - Right}\" y2=\"{H - Bottom}\" class=\"frame\"/>");
        sb.Append("</svg>");
        return sb.ToString();
    }

    /// <summary>The CSS the plots' classes need when an SVG stands alone (the report page carries the same rules).</summary>
    public const string StandaloneStyle =
        "<style>text { font-family: system-ui, sans-serif; } .pt { font-size: 14px; font-weight: 600; } .tick { font-size: 11px; fill: #59636e; } " +
        ".axis { font-size: 12px; fill: #1f2328; } .legend { font-size: 12px; } .thr { font-size: 12px; fill: #c0392b; font-weight: 600; } " +
        ".grid { stroke: #eaeef2; } .frame { stroke: #8c959f; }</style>";

    /// <summary>
    /// Shares (0–100 %) against a numeric x, one polyline with dots per series, and an optional dashed horizontal
    /// reference line (e.g. the nominal false-alarm level).
    /// </summary>
    public static string Lines(string id, string title, string xLabel, string yLabel, IReadOnlyList<LineSeries> series, double? reference = null, string? referenceLabel = null)
    {
        var xs = series.SelectMany(s => s.Points.Select(p => p.X)).Where(double.IsFinite).ToList();
        double lo = xs.Count > 0 ? xs.Min() : 0, hi = xs.Count > 0 ? xs.Max() : 1;
        if (hi - lo < 1e-12) { lo -= 0.5; hi += 0.5; }
        double px(double x) => Left + 6 + (x - lo) / (hi - lo) * (W - Left - Right - 12);
        double py(double y) => H - Bottom - Math.Clamp(y, 0, 1) * (H - Top - Bottom);
        var sb = new StringBuilder();
        sb.Append(Inv, $"<svg data-plot=\"{E(id)}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" role=\"img\" aria-label=\"{E(title)}\">");
        sb.Append(Inv, $"<title>{E(title)}</title><rect width=\"{W}\" height=\"{H}\" fill=\"#fff\"/>");
        sb.Append(Inv, $"<text x=\"{Left}\" y=\"20\" class=\"pt\">{E(title)}</text>");
        for (int k = 0; k <= 4; k++)
        {
            double y = k / 4.0;
            sb.Append(Inv, $"<line x1=\"{Left}\" y1=\"{F(py(y))}\" x2=\"{W - Right}\" y2=\"{F(py(y))}\" class=\"grid\"/>");
            sb.Append(Inv, $"<text x=\"{Left - 6}\" y=\"{F(py(y) + 4)}\" text-anchor=\"end\" class=\"tick\">{y * 100:0}%</text>");
        }
        foreach (var (t, label) in XTicks(lo, hi, log: false))
        {
            sb.Append(Inv, $"<text x=\"{F(px(t))}\" y=\"{H - Bottom + 16}\" text-anchor=\"middle\" class=\"tick\">{E(label)}</text>");
        }
        sb.Append(Inv, $"<text x=\"{(Left + W - Right) / 2}\" y=\"{H - 8}\" text-anchor=\"middle\" class=\"axis\">{E(xLabel)}</text>");
        sb.Append(Inv, $"<text transform=\"translate(14 {(Top + H - Bottom) / 2}) rotate(-90)\" text-anchor=\"middle\" class=\"axis\">{E(yLabel)}</text>");
        if (reference is double r)
        {
            sb.Append(Inv, $"<line x1=\"{Left}\" y1=\"{F(py(r))}\" x2=\"{W - Right}\" y2=\"{F(py(r))}\" stroke=\"#c0392b\" stroke-width=\"1.2\" stroke-dasharray=\"6 4\"/>");
            if (referenceLabel is not null)
            {
                sb.Append(Inv, $"<text x=\"{W - Right - 4}\" y=\"{F(py(r) - 5)}\" text-anchor=\"end\" class=\"thr\">{E(referenceLabel)}</text>");
            }
        }
        foreach (var s in series)
        {
            var pts = s.Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).OrderBy(p => p.X).ToList();
            if (pts.Count == 0) continue;
            string dash = s.Dashed ? " stroke-dasharray=\"5 3\"" : "";
            sb.Append(Inv, $"<polyline data-series=\"{E(s.Label)}\" points=\"{string.Join(" ", pts.Select(p => $"{F(px(p.X))},{F(py(p.Y))}"))}\" fill=\"none\" stroke=\"{s.Color}\" stroke-width=\"2\"{dash}/>");
            foreach (var p in pts)
            {
                sb.Append(Inv, $"<circle cx=\"{F(px(p.X))}\" cy=\"{F(py(p.Y))}\" r=\"3\" fill=\"{s.Color}\"><title>{E(s.Label)}: {E(Number(p.X))} → {p.Y * 100:0.#} %</title></circle>");
            }
        }
        sb.Append(Inv, $"<line x1=\"{Left}\" y1=\"{H - Bottom}\" x2=\"{W - Right}\" y2=\"{H - Bottom}\" class=\"frame\"/>");
        double lx = Left;
        foreach (var s in series)
        {
            string dash = s.Dashed ? " stroke-dasharray=\"5 3\"" : "";
            sb.Append(Inv, $"<line x1=\"{F(lx)}\" y1=\"34\" x2=\"{F(lx + 18)}\" y2=\"34\" stroke=\"{s.Color}\" stroke-width=\"2\"{dash}/>");
            sb.Append(Inv, $"<text x=\"{F(lx + 22)}\" y=\"38\" class=\"legend\">{E(s.Label)}</text>");
            lx += 22 + s.Label.Length * 6.3 + 14;
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    /// <summary>The axis top: the next of 1, 2, 2.5, 5 × 10^k above the data, so the four grid steps are round percentages.</summary>
    internal static double NiceMax(double v)
    {
        if (!(v > 0)) return 0.05;
        double mag = Math.Pow(10, Math.Floor(Math.Log10(v)));
        foreach (double m in new[] { 1, 2, 2.5, 4, 5, 8, 10 })
        {
            if (m * mag >= v - 1e-12) return Math.Min(m * mag, 1);
        }
        return Math.Min(10 * mag, 1);
    }

    /// <summary>A p-value for people: "&lt;1e-12" below that, else 2 significant digits.</summary>
    public static string PValue(double p) => double.IsNaN(p) ? "–" : p < 1e-12 ? "<1e-12" : p < 1e-3 ? p.ToString("0.#e+0", Inv) : p.ToString("0.###", Inv);

    private static IEnumerable<(double T, string Label)> XTicks(double lo, double hi, bool log)
    {
        if (log)
        {
            int a = (int)Math.Ceiling(lo), b = (int)Math.Floor(hi);
            int step = Math.Max(1, (b - a + 1) / 7 + 1);
            for (int k = a; k <= b; k += step) yield return (k, Number(Math.Pow(10, k)));
            yield break;
        }
        double raw = (hi - lo) / 6;
        double mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double nice = raw / mag < 1.5 ? 1 : raw / mag < 3 ? 2 : raw / mag < 7 ? 5 : 10;
        double stepL = nice * mag;
        for (double t = Math.Ceiling(lo / stepL) * stepL; t <= hi + 1e-12; t += stepL) yield return (t, Number(Math.Abs(t) < stepL * 1e-6 ? 0 : t));
    }

    /// <summary>A compact number: 3 significant digits, exponent form outside 1e-3..1e5.</summary>
    public static string Number(double v)
    {
        double a = Math.Abs(v);
        if (a == 0) return "0";
        if (a >= 1e5 || a < 1e-3) return v.ToString("0.##e+0", Inv);
        return v.ToString(a >= 100 ? "0" : a >= 10 ? "0.#" : a >= 1 ? "0.##" : "0.###", Inv);
    }
}
