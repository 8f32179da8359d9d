using FunctionsDrift.Cli.Commands;
using FunctionsDrift.Core.Detectors;
using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Model;

namespace FunctionsDrift.Cli.Tests;

/// <summary><c>drift fit</c>'s summary explains a threshold of 0 instead of leaving it to look like a failed fit.</summary>
public sealed class FitSummaryTests
{
    private static ImageFeatures Frame(int valueBin, int seed)
    {
        // Pixel noise moves a fraction of a percent of the value histogram one bin: far less than the colour floor.
        var rng = new Random(seed);
        var hsv = new float[3 * ColorFeatures.Bins];
        hsv[0] = 1;
        hsv[ColorFeatures.Bins] = 1;
        float jitter = (float)(rng.NextDouble() * 0.002);
        hsv[2 * ColorFeatures.Bins + valueBin] = 1 - jitter;
        hsv[2 * ColorFeatures.Bins + valueBin + 1] = jitter;
        return new ImageFeatures([], hsv, new float[QualityFeatures.Names.Length], [], 64, 48);
    }

    [Fact]
    public void FitSummary_ExplainsAThresholdOfZero()
    {
        var reference = Enumerable.Range(0, 100).Select(i => Frame(8, i)).ToList();
        var model = ReferenceFitter.Fit(reference, "none", new FitOptions { Detectors = [HsvDivergenceDetector.KindName] });
        Assert.Equal(0, model.Detectors.Single().Calibrator.Scores[^1]);
        var text = new StringWriter();
        FitCommand.PrintSummary(text, model, "ref.fdm");
        Assert.Contains("hsv      threshold 0 (calibration median 0, max 0); no held-out reference image came past its effect-size floor", text.ToString());
    }

    [Fact]
    public void FitSummary_SaysNothingOfFloorsWhenTheReferenceMoves()
    {
        // Day and night: the value histogram of every other frame sits 12 bins higher, far past the 2 % floor.
        var reference = Enumerable.Range(0, 100).Select(i => Frame(i % 2 == 0 ? 8 : 20, i)).ToList();
        var model = ReferenceFitter.Fit(reference, "none", new FitOptions { Detectors = [HsvDivergenceDetector.KindName] });
        var text = new StringWriter();
        FitCommand.PrintSummary(text, model, "ref.fdm");
        Assert.True(model.Detectors.Single().Calibrator.Threshold(model.DetectorLevel) > 0, text.ToString());
        Assert.DoesNotContain("effect-size floor", text.ToString());
    }
}
