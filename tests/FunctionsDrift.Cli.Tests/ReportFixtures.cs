using FunctionsDrift.Cli.Reporting;
using SkiaSharp;

namespace FunctionsDrift.Cli.Tests;

/// <summary>A tiny handmade score file, labels and images for the report tests.</summary>
internal static class ReportFixtures
{
    // a: hsv + fused hit (invert). b: clean, quiet. c: quality + fused hit (blur). d: clean but flagged by hsv and fused.
    // e: missed blur. f: unreadable.
    public const string Scores = """
        image,drift,fused_p,hsv_score,hsv_threshold,hsv_p,hsv_flag,quality_score,quality_threshold,quality_p,quality_flag,reasons,error,scored_at
        a.png,true,0.0001,10,5,0.0001,true,1,3,0.5,false,"hsv: far, really",,2026-01-01T10:00:00Z
        b.png,false,0.3,1,5,0.3,false,1,3,0.4,false,,,2026-01-01T10:10:00Z
        c.png,true,0.001,2,5,0.2,false,4,3,0.001,true,quality: dark,,2026-01-01T11:00:00Z
        d.png,true,0.002,6,5,0.002,true,1,3,0.5,false,hsv: <b>odd</b>,,2026-01-01T11:30:00Z
        e.png,false,0.5,1,5,0.5,false,1,3,0.5,false,,,2026-01-01T12:00:00Z
        f.png,,,,,,,,,,,,decode failed,2026-01-01T12:05:00Z
        """;

    public static readonly Dictionary<string, ImageLabel> Labels = new()
    {
        ["a.png"] = new(1, "invert"),
        ["b.png"] = new(0, "none"),
        ["c.png"] = new(1, "blur"),
        ["d.png"] = new(0, "none"),
        ["e.png"] = new(1, "blur"),
    };

    public static ReportInput Input(string? imagesDir = null, bool labels = true, string scores = Scores) => new()
    {
        ModelVersion = "20260101T000000Z-test",
        FalseAlarmRate = 0.01,
        ReferenceImages = 8,
        Detectors =
        [
            new ReportDetector("hsv", [0.5, 0.8, 1, 1.2, 1.5, 2, 2.5, 3], 5),
            new ReportDetector("quality", [0.2, 0.4, 0.5, 0.9, 1, 1.1, 1.5, 2], 3),
        ],
        Scores = ScoreTable.Parse(scores),
        Labels = labels ? Labels : null,
        ImagesDir = imagesDir,
    };

    public static string WriteImages(string root)
    {
        var dir = Path.Combine(root, "images");
        Directory.CreateDirectory(dir);
        foreach (var (name, i) in new[] { "a", "b", "c", "d", "e" }.Select((n, i) => (n, i)))
        {
            using var bitmap = new SKBitmap(new SKImageInfo(96, 64));
            using (var canvas = new SKCanvas(bitmap))
            {
                canvas.Clear(new SKColor((byte)(30 + 40 * i), 140, 200));
            }
            using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(dir, name + ".png"), data.ToArray());
        }
        return dir;
    }
}
