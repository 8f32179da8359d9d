using System.Globalization;
using System.Text.Json;

namespace FunctionsDrift.Core.Embedding;

/// <summary>Observed minimum and maximum of one graph value over the calibration images.</summary>
public sealed record ActivationRange(string Name, double Min, double Max);

/// <summary>
/// The activation ranges the INT8 quantizer turns into uint8 scales and zero points: one per quantized value of the graph,
/// measured once on a fixed set of images and committed beside the manifest, so that quantizing is pure arithmetic.
/// </summary>
public sealed record ActivationRanges
{
    /// <summary>Which images the ranges were measured on and how; for people, not read by the quantizer.</summary>
    public required string Source { get; init; }
    public required IReadOnlyList<ActivationRange> Ranges { get; init; }

    /// <summary>Significant digits kept: a re-measurement on another machine rounds to the same file.</summary>
    public const int SignificantDigits = 4;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public ActivationRange this[string name] =>
        Ranges.FirstOrDefault(r => r.Name == name) ?? throw new DriftException($"activation ranges have no entry for {name}");

    public static ActivationRanges Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new DriftException($"activation ranges not found: {path}");
        }
        ActivationRanges? ranges;
        try
        {
            ranges = JsonSerializer.Deserialize<ActivationRanges>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new DriftException($"activation ranges {path} are not valid JSON: {e.Message}", e);
        }
        if (ranges is null || ranges.Ranges.Count == 0)
        {
            throw new DriftException($"activation ranges {path} are empty");
        }
        foreach (var r in ranges.Ranges)
        {
            if (!double.IsFinite(r.Min) || !double.IsFinite(r.Max) || r.Min > r.Max)
            {
                throw new DriftException($"activation ranges {path}: {r.Name} has min {r.Min} and max {r.Max}");
            }
        }
        return ranges;
    }

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");

    /// <summary>Rounds outwards to <see cref="SignificantDigits"/> digits, so the rounded range still covers what was seen.</summary>
    public static ActivationRange Rounded(string name, double min, double max) => new(name, RoundOut(min, floor: true), RoundOut(max, floor: false));

    private static double RoundOut(double v, bool floor)
    {
        if (v == 0)
        {
            return 0;
        }
        int exponent = (int)Math.Floor(Math.Log10(Math.Abs(v))) - (SignificantDigits - 1);
        double unit = Math.Pow(10, exponent);
        double steps = floor ? Math.Floor(v / unit) : Math.Ceiling(v / unit);
        // Through the decimal text, so the value is the shortest double that prints as the rounded number.
        return double.Parse((steps * unit).ToString("G" + SignificantDigits, CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }
}
