using FunctionsDrift.Core.Detectors;
using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Images;
using FunctionsDrift.Core.Model;
using FunctionsDrift.Core.Scoring;
using SkiaSharp;

namespace FunctionsDrift.Core.Tests;

/// <summary>
/// What a scene normally does must pass (a known object somewhere new, a re-encode); what it does not must be flagged
/// (an object kind never seen). Real ResNet18 on generated scenes.
/// </summary>
[Collection(EmbedderCollection.Name)]
public sealed class ProductionOrderTests(EmbedderFixture fixture)
{
    /// <summary>A 14×14 yellow sign with a dark frame: the "person" of these scenes, seen on the left of the lawn only.</summary>
    internal static void DrawSign(SKBitmap b, int x, int y)
    {
        Synth.FillRect(b, new SKRectI(x, y, x + 14, y + 14), new SKColor(30, 30, 40));
        Synth.FillRect(b, new SKRectI(x + 3, y + 3, x + 11, y + 11), new SKColor(235, 200, 40));
    }

    /// <summary>Something these scenes never show: a 14×14 magenta and cyan checker.</summary>
    private static void DrawUnseenObject(SKBitmap b, int x, int y)
    {
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++)
                Synth.FillRect(b, new SKRectI(x + 7 * i, y + 7 * j, x + 7 * i + 7, y + 7 * j + 7), (i + j) % 2 == 0 ? new SKColor(240, 20, 220) : new SKColor(20, 230, 230));
    }

    private ImageFeatures Scene(int seed, Action<SKBitmap, Random>? draw = null, bool reference = false)
    {
        using var b = Synth.Scene(seed);
        draw?.Invoke(b, new Random(seed));
        return reference ? fixture.Extractor.ExtractReference(b) : fixture.Extractor.Extract(b);
    }

    /// <summary>The reference as <c>drift fit</c> reads it, with its zoomed patches unless <paramref name="zoomed"/> is false.</summary>
    private ReferenceModel FitWithSignOnTheLeft(bool zoomed = true) => ReferenceFitter.Fit(
        Enumerable.Range(100, 40).Select(s => Scene(s, (b, r) => DrawSign(b, 8 + r.Next(0, 50), 70 + r.Next(0, 8)), reference: zoomed)).ToList(),
        fixture.Extractor.ModelIdentity);

    [Fact]
    public void PatchNovelty_KnownObjectInAPlaceNeverSeen_IsNotFlagged()
    {
        var model = FitWithSignOnTheLeft();
        var patch = model.Detectors.Single(d => d.Detector.Name == PatchNoveltyDetector.KindName);
        var scorer = new DriftScorer(model);
        // The sign on the right of the lawn, where the reference never had it (away from the frame edge, where padding
        // changes what the network sees).
        foreach (int seed in Enumerable.Range(900, 6))
        {
            var f = Scene(seed, (b, r) => DrawSign(b, 95 + r.Next(0, 25), 72));
            var result = scorer.Score(f).Detectors.Single(d => d.Detector == PatchNoveltyDetector.KindName);
            Assert.False(result.Flag, $"seed {seed}: {result.Detail}, p={result.PValue:g3}, threshold {patch.Calibrator.Threshold(model.DetectorLevel):0.00}");
        }
    }

    [Fact]
    public void PatchNovelty_ObjectNeverSeenPastedIntoTheScene_IsFlagged()
    {
        var scorer = new DriftScorer(FitWithSignOnTheLeft());
        foreach (int seed in Enumerable.Range(900, 6))
        {
            var f = Scene(seed, (b, r) => DrawUnseenObject(b, 95 + r.Next(0, 25), 72));
            var result = scorer.Score(f);
            var patch = result.Detectors.Single(d => d.Detector == PatchNoveltyDetector.KindName);
            Assert.True(patch.Flag, $"seed {seed}: {patch.Detail}, p={patch.PValue:g3}");
            Assert.True(result.Drift);
        }
    }

    /// <summary>
    /// Nearer the camera: the sign drawn twice as big as the reference ever showed it, on the right of the lawn. The model
    /// fitted with the reference's zoomed patches lets it pass; the same reference without them flags it.
    /// </summary>
    [Fact]
    public void PatchNovelty_KnownObjectNearerTheCamera_PassesOnlyWithTheZoomedBank()
    {
        ImageFeatures Nearer(int seed)
        {
            using var b = Synth.Scene(seed);
            using var sign = new SKBitmap(14, 14);
            DrawSign(sign, 0, 0);
            using var big = sign.Resize(new SKImageInfo(28, 28), new SKSamplingOptions(SKFilterMode.Linear));
            using (var canvas = new SKCanvas(b)) canvas.DrawBitmap(big, 95 + new Random(seed).Next(0, 25), 64);
            return fixture.Extractor.Extract(b);
        }
        var zoomed = new DriftScorer(FitWithSignOnTheLeft());
        var plain = new DriftScorer(FitWithSignOnTheLeft(zoomed: false));
        DetectorResult Patch(DriftScorer scorer, ImageFeatures f) => scorer.Score(f).Detectors.Single(d => d.Detector == PatchNoveltyDetector.KindName);
        var nearer = Enumerable.Range(900, 6).Select(Nearer).ToList();
        Assert.All(nearer, f => Assert.False(Patch(zoomed, f).Flag, Patch(zoomed, f).Detail));
        Assert.All(nearer, f => Assert.True(Patch(plain, f).Flag, Patch(plain, f).Detail));
    }

    [Fact]
    public void DriftScorer_JpegReencodedImagesAreNotFlagged()
    {
        ImageFeatures Jpeg(int seed, params int[] qualities)
        {
            using var scene = Synth.Scene(seed);
            byte[] bytes = Synth.Encode(scene, SKEncodedImageFormat.Jpeg, 90);
            foreach (int q in qualities)
            {
                using var decoded = ImageLoader.Decode(bytes, ImageLoadOptions.Scoring);
                bytes = Synth.Encode(decoded, SKEncodedImageFormat.Jpeg, q);
            }
            return fixture.Extractor.Extract(bytes);
        }
        var scorer = new DriftScorer(ReferenceFitter.Fit(Enumerable.Range(100, 40).Select(s => Jpeg(s)).ToList(), fixture.Extractor.ModelIdentity));
        var flagged = Enumerable.Range(300, 24).Select(s => (s, scorer.Score(Jpeg(s, 90 + s % 8)))).Where(x => x.Item2.Drift).ToList();
        Assert.True(flagged.Count == 0, string.Join(" | ", flagged.Select(x => $"seed {x.s}: {x.Item2.Reasons}")));
    }

    [Fact]
    public void ReferenceFitter_ForwardChainingNeverScoresWithLaterImages()
    {
        var options = new FitOptions { Calibration = CalibrationMode.ForwardChaining };
        var splits = ReferenceFitter.CalibrationSplits(40, 8, options).ToList();
        Assert.Equal(4, splits.Count); // the first block has nothing before it
        Assert.All(splits, s => Assert.True(s.Train.Max() < s.Held.Min(), $"{s.Label}: fitted on an image at or after a scored one"));
        Assert.Equal(Enumerable.Range(8, 32), splits.SelectMany(s => s.Held));

        var folds = ReferenceFitter.CalibrationSplits(40, 8, options with { Calibration = CalibrationMode.ContiguousFolds }).ToList();
        Assert.All(folds, s => Assert.Empty(s.Train.Intersect(s.Held)));
        Assert.Equal(Enumerable.Range(0, 40), folds.SelectMany(s => s.Held).Order());
    }

    [Fact]
    public void ReferenceFitter_ForwardChainingGapLeavesWholeBlocksBetween()
    {
        var options = new FitOptions { Calibration = CalibrationMode.ForwardChaining };
        var splits = ReferenceFitter.CalibrationSplits(40, 8, options, gap: 1).ToList();
        Assert.Equal(3, splits.Count);
        Assert.All(splits, s => Assert.Equal(8, s.Held.Min() - s.Train.Max() - 1));
        Assert.Equal(Enumerable.Range(16, 24), splits.SelectMany(s => s.Held));

        // Two blocks leave no room for a gap: the gap shrinks so that one block is still held out.
        var two = ReferenceFitter.CalibrationSplits(16, 8, options, gap: 1).Single();
        Assert.Equal(Enumerable.Range(0, 8), two.Train);

        // The embedding detectors calibrate across the gap; a reference fitted this way still gets every detector.
        Assert.Equal(1, DetectorKinds.Get(NearestNeighbourDetector.KindName).CalibrationGap);
        Assert.Equal(1, DetectorKinds.Get(PcaReconstructionDetector.KindName).CalibrationGap);
        Assert.Equal(0, DetectorKinds.Get(PatchNoveltyDetector.KindName).CalibrationGap);
    }
}
