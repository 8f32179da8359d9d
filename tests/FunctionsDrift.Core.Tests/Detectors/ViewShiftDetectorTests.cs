using FunctionsDrift.Core.Detectors;
using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Model;
using FunctionsDrift.Core.Scoring;
using SkiaSharp;

namespace FunctionsDrift.Core.Tests;

/// <summary>A camera that turned or slid is flagged by the view detector; things moving through a still view are not.</summary>
public sealed class ViewShiftDetectorTests
{
    private static readonly FeatureExtractor Extractor = new(null);

    /// <summary>The 160×120 view at <paramref name="panX"/> pixels into a wider scene, turned by <paramref name="degrees"/>.</summary>
    private static ImageFeatures View(int seed, int panX = 0, float degrees = 0, float exposure = 1)
    {
        using var wide = Synth.Scene(seed, width: 176, height: 120);
        using var view = Synth.New(160, 120);
        using (var canvas = new SKCanvas(view))
        {
            canvas.RotateDegrees(degrees, 80, 60);
            canvas.DrawBitmap(wide, -panX - 8, 0);
        }
        using var lit = exposure == 1 ? view.Copy() : Synth.ShiftColour(view, exposure, exposure, exposure);
        return Extractor.Extract(lit);
    }

    private static ReferenceModel Fit() =>
        ReferenceFitter.Fit(Enumerable.Range(0, 40).Select(s => View(s)).ToList(), "none", new FitOptions { Detectors = [ViewShiftDetector.KindName] });

    private static DetectorResult Score(DriftScorer scorer, ImageFeatures f) => scorer.Score(f).Detectors.Single();

    [Theory]
    [InlineData(5, 0)]   // slid by 3 % of the width
    [InlineData(-5, 0)]
    [InlineData(0, 3)]   // turned by 3°
    [InlineData(0, -3)]
    public void ViewShift_CameraSlidOrTurned_IsFlagged(int panX, float degrees)
    {
        var scorer = new DriftScorer(Fit());
        foreach (int seed in Enumerable.Range(900, 4))
        {
            var r = Score(scorer, View(seed, panX, degrees));
            Assert.True(r.Flag, $"seed {seed}: {r.Detail}, p={r.PValue:g3}");
        }
    }

    [Fact]
    public void ViewShift_CarsPeopleAndLightChangingInAStillView_AreNotFlagged()
    {
        var scorer = new DriftScorer(Fit());
        // New seeds put the cars and the pedestrian elsewhere; exposure ±15 % changes every edge's strength but no edge's place.
        foreach (int seed in Enumerable.Range(900, 6))
        {
            foreach (float exposure in new[] { 1f, 0.85f, 1.15f })
            {
                var r = Score(scorer, View(seed, exposure: exposure));
                Assert.False(r.Flag, $"seed {seed}, exposure {exposure}: {r.Detail}, p={r.PValue:g3}");
                Assert.Equal(0, r.Score);
            }
        }
    }

    [Fact]
    public void ViewShift_ReferenceWithNothingStatic_ScoresZeroAndSaysWhy()
    {
        var flat = Enumerable.Range(0, 30).Select(s =>
        {
            using var b = Synth.Solid(160, 120, new SKColor((byte)(100 + s), 120, 140));
            return Extractor.Extract(b);
        }).ToList();
        var model = ReferenceFitter.Fit(flat, "none", new FitOptions { Detectors = [ViewShiftDetector.KindName] });
        var r = Score(new DriftScorer(model), View(1, panX: 5));
        Assert.Equal(0, r.Score);
        Assert.Contains("too little static structure", r.Detail);
    }

    [Fact]
    public void ViewShift_FeaturesWithoutEdgeMaps_FitWithoutTheViewDetector()
    {
        var old = Enumerable.Range(0, 30).Select(s => View(s) with { }).Select(f => new ImageFeatures(f.Embedding, f.Hsv, f.Quality, f.Patch, f.Width, f.Height)).ToList();
        var model = ReferenceFitter.Fit(old, "none");
        Assert.DoesNotContain(model.Detectors, d => d.Detector.Name == ViewShiftDetector.KindName);
        var e = Assert.Throws<DriftException>(() => ReferenceFitter.Fit(old, "none", new FitOptions { Detectors = [ViewShiftDetector.KindName] }));
        Assert.Contains("edge maps", e.Message);
    }
}
