using FunctionsDrift.Core.Detectors;
using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Model;
using FunctionsDrift.Core.Scoring;
using SkiaSharp;

namespace FunctionsDrift.Core.Tests;

/// <summary>
/// A scene's light changes a little all day: a global gain of a few percent must not flag the colour detector, and fewer
/// clipped pixels must not flag the quality detector. What changes the picture's tones must still be flagged.
/// </summary>
public sealed class ExposureTests
{
    private static readonly FeatureExtractor Extractor = new(null);

    private static ImageFeatures Features(SKBitmap b) => Extractor.Extract(b);

    private static ReferenceModel Fit(string detector, Func<int, SKBitmap> scene) => ReferenceFitter.Fit(
        Enumerable.Range(100, 40).Select(s => { using var b = scene(s); return Features(b); }).ToList(), "none",
        new FitOptions { Detectors = [detector] });

    private static SKBitmap Darker(SKBitmap source, float gain) => Synth.ShiftColour(source, gain, gain, gain);

    /// <summary>A colour-only model of the generated street scenes, whose light varies by ±4 % from frame to frame.</summary>
    private static readonly Lazy<ReferenceModel> SceneColours = new(() => Fit(HsvDivergenceDetector.KindName, s => Synth.Scene(s)));

    /// <summary>Scenes the reference never saw (seeds 300…), changed, with their features and verdict.</summary>
    private static IEnumerable<(int Seed, ImageFeatures Features, ScoreResult Result)> Changed(int count, Func<SKBitmap, SKBitmap> change)
    {
        var scorer = new DriftScorer(SceneColours.Value);
        foreach (int seed in Enumerable.Range(300, count))
        {
            using var scene = Synth.Scene(seed);
            using var changed = change(scene);
            var f = Features(changed);
            yield return (seed, f, scorer.Score(f));
        }
    }

    [Fact]
    public void Hsv_GlobalGainOfTenPercentIsNotFlagged()
    {
        var reference = (HsvDivergenceDetector)SceneColours.Value.Detectors.Single().Detector;
        foreach (var (seed, f, result) in Changed(8, scene => Darker(scene, 0.9f)))
        {
            Assert.False(result.Drift, $"seed {seed}: {result.Reasons}");
            // Without the gain set aside, the value histogram moved well past the floor: the test can fail.
            Assert.True(HsvDivergenceDetector.EarthMovers(f.Hsv, reference.ReferenceHistograms, 2) > 2 * new FitOptions().HsvFloor);
        }
    }

    [Fact]
    public void Hsv_TwoStopsDarkerIsStillFlagged()
    {
        // Only a gain within one stop is set aside: a frame a quarter as bright is a different picture.
        foreach (var (seed, _, result) in Changed(4, scene => Darker(scene, 0.25f)))
        {
            Assert.True(result.Drift, $"seed {seed}: {result.Detectors.Single().Detail}");
        }
    }

    [Fact]
    public void Hsv_ShadowOverPartOfTheSceneIsFlagged()
    {
        // The left half of the frame in shadow, the right half lit as before.
        static SKBitmap HalfInShadow(SKBitmap scene)
        {
            using var shadowed = Darker(scene, 0.5f);
            var result = scene.Copy();
            using var canvas = new SKCanvas(result);
            canvas.DrawBitmap(shadowed, SKRect.Create(0, 0, 80, 120), SKRect.Create(0, 0, 80, 120));
            return result;
        }
        foreach (var (seed, _, result) in Changed(8, HalfInShadow))
        {
            Assert.True(result.Drift, $"seed {seed}: {result.Detectors.Single().Detail}");
        }
    }

    /// <summary>The street scene with a white sign (luma 250, clipped) over the top-left corner of the sky.</summary>
    private static SKBitmap WithSign(int seed, byte level, int x = 8)
    {
        var b = Synth.Scene(seed);
        Synth.FillRect(b, new SKRectI(x, 4, x + 60, 40), new SKColor(level, level, level));
        return b;
    }

    [Fact]
    public void Quality_FewerClippedPixelsIsNotFlagged_MoreIs()
    {
        var scorer = new DriftScorer(Fit(QualityDetector.KindName, s => WithSign(s, 250)));
        foreach (int seed in Enumerable.Range(300, 6))
        {
            using var dimmer = WithSign(seed, 236);
            var fewer = scorer.Score(Features(dimmer));
            Assert.False(fewer.Drift, $"seed {seed}, sign at 236: {fewer.Reasons}");

            using var second = WithSign(seed, 250);
            Synth.FillRect(second, new SKRectI(90, 4, 150, 40), new SKColor(250, 250, 250));
            var more = scorer.Score(Features(second));
            Assert.True(more.Drift, $"seed {seed}, a second clipped sign: {more.Detectors.Single().Detail}");
            Assert.Contains("bright_fraction high", more.Reasons);
        }
    }
}
