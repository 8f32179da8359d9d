using FunctionsDrift.Core.Detectors;
using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Model;
using FunctionsDrift.Core.Scoring;

namespace FunctionsDrift.Core.Tests;

/// <summary>
/// A reference so stable that no held-out image comes past the quality floors leaves the calibrated tail without data;
/// a statistic just past its floor must not then count as drift, while a real change still does.
/// </summary>
public sealed class QualityTailTests
{
    private static readonly int Noise = Array.IndexOf(QualityFeatures.Names, "noise");

    private static ImageFeatures Frame(float noiseShift, int seed)
    {
        var rng = new Random(seed);
        // Every statistic jitters by at most a tenth of its floor, so every held-out calibration score is 0.
        var quality = QualityFeatures.Floors.Select(f => 0.5f + (float)(rng.NextDouble() - 0.5) * 0.2f * f).ToArray();
        quality[Noise] = 5 + (float)(rng.NextDouble() - 0.5) * 0.06f + noiseShift;
        return new ImageFeatures([], new float[3 * ColorFeatures.Bins], quality, [], 64, 48);
    }

    [Fact]
    public void Quality_JustPastTheFloorOfAStableReferenceIsNotDrift()
    {
        // The level of one detector among the default six.
        var reference = Enumerable.Range(0, 200).Select(i => Frame(0, i)).ToList();
        var model = ReferenceFitter.Fit(reference, "none", new FitOptions { Detectors = [QualityDetector.KindName], FalseAlarmRate = 0.01 / 6 });
        var calibration = model.Detectors.Single().Calibrator;
        Assert.Equal(0f, calibration.Scores[^1]);
        var scorer = new DriftScorer(model);
        float floor = QualityFeatures.Floors[Noise];

        // 0.05 grey levels past the 0.3 floor: z ≈ 0.5 with the scale of 0.1 (2 % of the median noise).
        var justPast = scorer.Score(Frame(floor + 0.08f, 1000));
        Assert.True(justPast.Detectors.Single().Score > 0);
        Assert.False(justPast.Drift, justPast.Reasons);

        // Two grey levels of added noise is drift.
        var noisy = scorer.Score(Frame(2, 1001));
        Assert.True(noisy.Drift);
        Assert.Contains("noise high", noisy.Reasons);
    }
}
