using FunctionsDrift.Core.Model;

namespace FunctionsDrift.Cli.Reporting;

/// <summary>Everything one report is made from.</summary>
internal sealed record ReportInput
{
    public required string ModelVersion { get; init; }
    public required double FalseAlarmRate { get; init; }
    public required int ReferenceImages { get; init; }
    public required IReadOnlyList<ReportDetector> Detectors { get; init; }
    public required ScoreTable Scores { get; init; }
    public IReadOnlyDictionary<string, ImageLabel>? Labels { get; init; }
    /// <summary>Folder of the scored images, for thumbnails.</summary>
    public string? ImagesDir { get; init; }
    public int Top { get; init; } = 24;
    public int ThumbWidth { get; init; } = 220;
    public string Title { get; init; } = "drift report";

    public static ReportInput FromModel(ReferenceModel model, ScoreTable scores) => new()
    {
        ModelVersion = model.Version,
        FalseAlarmRate = model.Options.FalseAlarmRate,
        ReferenceImages = model.ImageCount,
        Detectors = model.Detectors.Select(d => new ReportDetector(
            d.Detector.Name, d.Calibrator.Scores.ToArray().Select(v => (double)v).ToArray(), d.Calibrator.Threshold(model.DetectorLevel))).ToList(),
        Scores = scores,
    };
}
