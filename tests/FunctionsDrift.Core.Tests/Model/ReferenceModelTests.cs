using System.Text.RegularExpressions;
using FunctionsDrift.Core.Detectors;
using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Model;
using FunctionsDrift.Core.Scoring;

namespace FunctionsDrift.Core.Tests;

[Collection(EmbedderCollection.Name)]
public sealed class ReferenceModelTests(EmbedderFixture fixture) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("drift-model-").FullName;
    private SceneSet S => fixture.Scenes;
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 30, 0, TimeSpan.Zero);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ReferenceModel Fit() => ReferenceFitter.Fit(S.Reference, fixture.Extractor.ModelIdentity, new FitOptions(), now: Now);

    private byte[] ModelBytes() => Fit().ToBytes();

    [Fact]
    public void ReferenceModel_FileRoundTripScoresIdentically()
    {
        var model = Fit();
        var path = Path.Combine(_dir, "sub", "ref.fdm");
        model.SaveFile(path);
        var loaded = ReferenceModel.LoadFile(path);

        Assert.Equal(model.Version, loaded.Version);
        Assert.Equal(model.CreatedUtc, loaded.CreatedUtc);
        Assert.Equal(model.ModelIdentity, loaded.ModelIdentity);
        // FitOptions holds an array, so compare what the file stores.
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(model.Options), System.Text.Json.JsonSerializer.Serialize(loaded.Options));
        Assert.Equal(model.ImageCount, loaded.ImageCount);
        Assert.Equal(model.Detectors.Select(d => d.Detector.Name), loaded.Detectors.Select(d => d.Detector.Name));
        var patch = (PatchNoveltyDetector)loaded.Detectors.Single(d => d.Detector.Name == PatchNoveltyDetector.KindName).Detector;
        Assert.Equal(((PatchNoveltyDetector)model.Detectors.Single(d => d.Detector.Name == PatchNoveltyDetector.KindName).Detector).ZoomedBankSize, patch.ZoomedBankSize);
        Assert.Equal(patch.BankSize, patch.ZoomedBankSize); // the reference's zoomed patches made a bank of the main one's size
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp-*"));

        var a = new DriftScorer(model);
        var b = new DriftScorer(loaded);
        foreach (var f in S.Normal.Take(5).Concat(S.OtherScene).Concat(S.SmallObject))
        {
            var ra = a.Score(f);
            var rb = b.Score(f);
            Assert.Equal(ra.FusedPValue, rb.FusedPValue);
            Assert.Equal(ra.Drift, rb.Drift);
            Assert.Equal(ra.Detectors, rb.Detectors);
        }
    }

    [Fact]
    public void ReferenceModel_BytesAreDeterministic()
    {
        Assert.Equal(ModelBytes(), ModelBytes());
    }

    [Fact]
    public void ModelArchive_FlippedByteIsCorrupt()
    {
        var bytes = ModelBytes();
        foreach (int at in new[] { 40, bytes.Length / 2, bytes.Length - 40, bytes.Length - 1 })
        {
            var copy = bytes.ToArray();
            copy[at] ^= 0x10;
            var e = Assert.Throws<DriftException>(() => ReferenceModel.Load(copy));
            Assert.Contains("corrupt", e.Message);
        }
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.99)]
    [InlineData(0.001)]
    public void ModelArchive_TruncatedFileIsError(double keep)
    {
        var bytes = ModelBytes();
        var cut = bytes.AsSpan(0, (int)(bytes.Length * keep)).ToArray();
        var e = Assert.Throws<DriftException>(() => ReferenceModel.Load(cut));
        Assert.Matches("corrupt|truncated|not a FunctionsDrift", e.Message);
    }

    [Fact]
    public void ModelArchive_WrongMagicIsNotAModel()
    {
        var bytes = ModelBytes();
        bytes[0] = (byte)'X';
        Assert.Contains("not a FunctionsDrift reference model", Assert.Throws<DriftException>(() => ReferenceModel.Load(bytes)).Message);
        var path = Path.Combine(_dir, "photo.fdm");
        File.WriteAllText(path, "just some text that is long enough to have a header and a checksum trailer........");
        Assert.Contains("not a FunctionsDrift reference model", Assert.Throws<DriftException>(() => ReferenceModel.LoadFile(path)).Message);
    }

    [Fact]
    public void ModelArchive_OtherSchemaVersionIsClearError()
    {
        var bytes = ModelBytes();
        BitConverter.TryWriteBytes(bytes.AsSpan(8, 4), ModelArchive.SchemaVersion + 1);
        var e = Assert.Throws<DriftException>(() => ReferenceModel.Load(bytes));
        Assert.Contains($"schema version {ModelArchive.SchemaVersion + 1}", e.Message);
        Assert.Contains("refit", e.Message);
    }

    [Fact]
    public void ModelArchive_MissingFileIsClearError()
    {
        Assert.Contains("not found", Assert.Throws<DriftException>(() => ReferenceModel.LoadFile(Path.Combine(_dir, "none.fdm"))).Message);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(-1)]
    [InlineData(5)]
    public void ModelArchive_ArrayLengthBeyondTheBytesIsRefusedBeforeAllocating(int declared)
    {
        var archive = new ModelArchive();
        archive.Arrays["x"] = [1f, 2f, 3f, 4f];
        var bytes = archive.ToBytes();
        // Body: magic (8), schema (4), metadata length (4) + "{}" (2), array count (4), name "x" (2), then the length.
        int at = 8 + 4 + 4 + 2 + 4 + 2;
        Assert.Equal(4, BitConverter.ToInt32(bytes, at));
        BitConverter.GetBytes(declared).CopyTo(bytes, at);
        System.Security.Cryptography.SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32)).CopyTo(bytes, bytes.Length - 32);
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DriftException>(() => ModelArchive.Read(bytes));
        Assert.Contains("array 'x' declares", e.Message);
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - allocated, 0, 1 << 20);
    }

    [Fact]
    public void PcaDetector_ComponentCountWhoseProductOverflowsIsRefused()
    {
        var archive = ModelArchive.Read(ModelBytes());
        // k·d wraps to 0 in 32-bit arithmetic with d = 512 and k = 2^23 (2^32): an empty array must not pass as k components.
        int d = archive.Array("pca.mean").Length;
        Assert.Equal(0, unchecked((1 << 23) * d));
        archive.Metadata["pca.count"] = (1 << 23).ToString(System.Globalization.CultureInfo.InvariantCulture);
        archive.Arrays["pca.components"] = [];
        var e = Assert.Throws<DriftException>(() => ReferenceModel.Load(archive.ToBytes()));
        Assert.Contains("PCA components", e.Message);
    }

    [Fact]
    public void ModelArchive_ValidChecksumButMissingArrayIsClearError()
    {
        var archive = ModelArchive.Read(ModelBytes());
        archive.Arrays.Remove("pca.mean");
        var e = Assert.Throws<DriftException>(() => ReferenceModel.Load(archive.ToBytes()));
        Assert.Contains("pca.mean", e.Message);
    }

    [Fact]
    public void ReferenceFitter_TooFewImagesIsRefused()
    {
        var e = Assert.Throws<DriftException>(() => ReferenceFitter.Fit(S.Reference.Take(10).ToList(), fixture.Extractor.ModelIdentity));
        Assert.Contains("10 images", e.Message);
    }

    [Fact]
    public void ReferenceFitter_MixedFeaturesAreRefused()
    {
        var mixed = S.Reference.Select((f, i) => i == 3 ? f with { Embedding = [] } : f).ToList();
        Assert.Throws<DriftException>(() => ReferenceFitter.Fit(mixed, fixture.Extractor.ModelIdentity));
    }

    [Fact]
    public void ReferenceFitter_WithoutEmbeddingUsesColourQualityAndView()
    {
        var plain = S.Reference.Select(f => f with { Embedding = [] }).ToList();
        var model = ReferenceFitter.Fit(plain, "none");
        Assert.False(model.NeedsEmbedding);
        Assert.Equal(["hsv", "quality", "view"], model.Detectors.Select(d => d.Detector.Name));
        // Local novelty needs the CNN's patch descriptors; without them the model still sees colour drift.
        var result = new DriftScorer(model).Score(S.ColourShift[0] with { Embedding = [], Patch = [], PatchCount = 0 });
        Assert.True(result.Drift);
    }

    [Fact]
    public void ReferenceFitter_CalibrationIsOutOfFold()
    {
        var model = ReferenceFitter.Fit(S.Reference, fixture.Extractor.ModelIdentity, new FitOptions { Calibration = CalibrationMode.ContiguousFolds });
        // Every kind but region, which needs the images' crops (RegionNoveltyTests).
        Assert.Equal(DetectorKinds.All.Count(k => !k.NeedsRegions), model.Detectors.Count);
        Assert.Equal(40, model.ImageCount);
        Assert.Equal(8, model.Options.BlockSize); // n / Folds: contiguous folds
        foreach (var d in model.Detectors)
        {
            Assert.Equal(40, d.Calibrator.Count);
            // In-sample, the kNN distance of a reference image to itself is 0; out of fold it never is.
            if (d.Detector.Name == NearestNeighbourDetector.KindName) Assert.True(d.Calibrator.Scores[0] > 0);
        }
    }

    [Fact]
    public void DriftScorer_FusedFalseAlarmRateOnCleanImagesIsLow()
    {
        var scorer = new DriftScorer(Fit());
        var alarms = S.Normal.Select(scorer.Score).Where(r => r.Drift).ToList();
        // Target 1 %; 30 images: allow up to 3 (loose, the scenes are only 40 in the reference).
        Assert.True(alarms.Count <= 3, $"{alarms.Count} of {S.Normal.Count} clean images flagged: {string.Join(" | ", alarms.Select(a => a.Reasons))}");
    }

    [Fact]
    public void DriftScorer_FlagsDriftedImagesWithReasons()
    {
        var scorer = new DriftScorer(Fit());
        var drifted = S.OtherScene.Concat(S.ColourShift).Concat(S.NoiseOrBlur).Concat(S.SmallObject).ToList();
        var results = drifted.Select(scorer.Score).ToList();
        int hits = results.Count(r => r.Drift);
        Assert.True(hits >= drifted.Count * 0.8, $"{hits} of {drifted.Count} drifted images flagged");
        foreach (var r in results.Where(r => r.Drift))
        {
            Assert.NotEmpty(r.Reasons);
            Assert.True(r.FusedPValue <= scorer.Model.Options.FalseAlarmRate);
            Assert.Contains(r.Detectors, d => d.Flag && d.PValue <= scorer.Model.DetectorLevel && d.Score >= d.Threshold);
        }
    }

    [Fact]
    public void DriftScorer_EveryResultNamesTheModelVersion()
    {
        var model = Fit();
        Assert.Matches(new Regex(@"^20261125T103000Z-[0-9a-f]{8}$"), model.Version);
        var scorer = new DriftScorer(model);
        Assert.All(S.Normal.Take(3).Concat(S.OtherScene.Take(3)), f => Assert.Equal(model.Version, scorer.Score(f).ReferenceVersion));
    }

    [Fact]
    public void DriftScorer_FlagAgreesWithThreshold()
    {
        var scorer = new DriftScorer(Fit());
        foreach (var f in S.Normal.Concat(S.OtherScene).Concat(S.SmallObject))
        {
            foreach (var d in scorer.Score(f).Detectors)
            {
                Assert.Equal(d.Flag, d.Score >= d.Threshold);
            }
        }
    }

    [Fact]
    public void DriftScorer_RefusesFeaturesWithoutEmbedding()
    {
        var scorer = new DriftScorer(Fit());
        Assert.Throws<DriftException>(() => scorer.Score(S.Normal[0] with { Embedding = [] }));
    }
}
