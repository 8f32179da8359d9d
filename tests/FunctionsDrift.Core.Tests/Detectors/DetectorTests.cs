using FunctionsDrift.Core.Detectors;
using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Model;

namespace FunctionsDrift.Core.Tests;

[Collection(EmbedderCollection.Name)]
public sealed class DetectorTests(EmbedderFixture fixture)
{
    private SceneSet S => fixture.Scenes;

    private IReadOnlyList<ImageFeatures> DriftFor(string kind) => kind switch
    {
        PcaReconstructionDetector.KindName or NearestNeighbourDetector.KindName => S.OtherScene,
        HsvDivergenceDetector.KindName => S.ColourShift,
        QualityDetector.KindName => S.NoiseOrBlur,
        PatchNoveltyDetector.KindName => S.SmallObject,
        ViewShiftDetector.KindName => S.CameraMoved,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Every kind that fits on features alone; <c>region</c> also needs the pixels' crops (<see cref="RegionNoveltyTests"/>).</summary>
    public static TheoryData<string> Kinds => new(DetectorKinds.All.Where(k => !k.NeedsRegions).Select(k => k.Name));

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Detector_ScoresItsDriftAboveHeldOutNormals(string kind)
    {
        var detector = DetectorKinds.Get(kind).Fit(S.Reference, new FitOptions());
        var normal = S.Normal.Select(f => detector.Score(f).Score).ToList();
        var drifted = DriftFor(kind).Select(f => detector.Score(f).Score).ToList();

        Assert.All(normal.Concat(drifted), s => Assert.True(double.IsFinite(s) && s >= 0));
        Assert.True(drifted.Min() > normal.Max(),
            $"{kind}: lowest drifted {drifted.Min():0.####} ≤ highest normal {normal.Max():0.####} (normal median {normal.Order().ElementAt(normal.Count / 2):0.####})");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Detector_SaveLoadRoundTripGivesIdenticalScores(string kind)
    {
        var kindImpl = DetectorKinds.Get(kind);
        var detector = kindImpl.Fit(S.Reference, new FitOptions());
        var archive = new ModelArchive();
        detector.Save(archive);
        var loaded = kindImpl.Load(ModelArchive.Read(archive.ToBytes()));

        Assert.Equal(kind, loaded.Name);
        foreach (var f in S.Normal.Take(5).Concat(DriftFor(kind)))
        {
            var a = detector.Score(f);
            var b = loaded.Score(f);
            Assert.Equal(a.Score, b.Score);
            Assert.Equal(a.Detail, b.Detail);
        }
    }

    [Fact]
    public void Detector_ReasonsNameWhatChanged()
    {
        var quality = DetectorKinds.Get(QualityDetector.KindName).Fit(S.Reference, new FitOptions());
        // Even seeds of NoiseOrBlur are noisy.
        Assert.Contains("noise high", quality.Score(S.NoiseOrBlur[0]).Detail);
        var patch = DetectorKinds.Get(PatchNoveltyDetector.KindName).Fit(S.Reference, new FitOptions());
        Assert.Contains("patch at top", patch.Score(S.SmallObject[0]).Detail);
    }

    [Fact]
    public void Detector_UnknownKindIsRefused()
    {
        Assert.Contains("unknown detector", Assert.Throws<DriftException>(() => DetectorKinds.Get("magic")).Message);
    }
}
