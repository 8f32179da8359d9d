using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Model;

namespace FunctionsDrift.Core.Scoring;

/// <summary>One detector's verdict on one image.</summary>
public sealed record DetectorResult(string Detector, double Score, double Threshold, double PValue, bool Flag, string Detail);

/// <summary>The verdict on one image: fused decision, Bonferroni-adjusted p-value, each detector, and the reasons.</summary>
public sealed record ScoreResult(bool Drift, double FusedPValue, IReadOnlyList<DetectorResult> Detectors, string ReferenceVersion)
{
    /// <summary>"detector: detail" for each flagged detector, most significant first; empty when nothing fired.</summary>
    public string Reasons => string.Join("; ", Detectors.Where(d => d.Flag).OrderBy(d => d.PValue).Select(d => $"{d.Detector}: {d.Detail} (p={d.PValue:0.###e+0})"));
}

/// <summary>Scores features against a reference model. Thread-safe and cheap to construct.</summary>
public sealed class DriftScorer
{
    private readonly double[] _thresholds;

    public ReferenceModel Model { get; }

    public DriftScorer(ReferenceModel model)
    {
        Model = model;
        _thresholds = model.Detectors.Select(d => d.Calibrator.Threshold(model.DetectorLevel)).ToArray();
    }

    public ScoreResult Score(ImageFeatures features)
    {
        if (Model.NeedsEmbedding && !features.HasEmbedding)
        {
            throw new DriftException("this reference model uses embeddings, but the features have none");
        }
        double level = Model.DetectorLevel;
        var results = new DetectorResult[Model.Detectors.Count];
        double minP = 1;
        for (int i = 0; i < results.Length; i++)
        {
            var (detector, calibrator) = Model.Detectors[i];
            var raw = detector.Score(features);
            double p = calibrator.PValue(raw.Score);
            results[i] = new DetectorResult(detector.Name, raw.Score, _thresholds[i], p, p <= level, raw.Detail);
            minP = Math.Min(minP, p);
        }
        double fused = Math.Min(1, minP * results.Length);
        return new ScoreResult(fused <= Model.Options.FalseAlarmRate, fused, results, Model.Version);
    }
}
