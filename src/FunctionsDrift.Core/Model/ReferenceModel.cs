using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using FunctionsDrift.Core.Calibration;
using FunctionsDrift.Core.Detectors;

namespace FunctionsDrift.Core.Model;

/// <summary>One calibrated detector: the fitted detector and its out-of-fold reference scores.</summary>
public sealed record CalibratedDetector(IDetector Detector, ConformalCalibrator Calibrator);

/// <summary>
/// A fitted and calibrated reference: detectors, their calibration, the fit settings and the identity of the
/// embedding model whose features it expects. Saved as one versioned file (<see cref="ModelArchive"/>).
/// </summary>
public sealed class ReferenceModel
{
    public required string Version { get; init; }
    public required DateTimeOffset CreatedUtc { get; init; }
    /// <summary><see cref="Embedding.ModelManifest.Identity"/> of the embedder, or "none".</summary>
    public required string ModelIdentity { get; init; }
    public required FitOptions Options { get; init; }
    public required int ImageCount { get; init; }
    public required IReadOnlyList<CalibratedDetector> Detectors { get; init; }

    public bool NeedsEmbedding => ModelIdentity != "none";

    /// <summary>
    /// Where the <c>region</c> detectors look in an image: the cell <c>patch</c> finds most novel, or null when this model
    /// has no <c>region</c> detector. Pass it to <see cref="Features.FeatureExtractor.Extract(ReadOnlySpan{byte}, Func{Features.ImageFeatures, int?})"/>.
    /// </summary>
    public int? RegionCell(Features.ImageFeatures features)
    {
        if (!Detectors.Any(d => d.Detector is RegionNoveltyDetector)) return null;
        var patch = Detectors.Select(d => d.Detector).OfType<PatchNoveltyDetector>().Single();
        return PatchNoveltyDetector.WorstPatches(patch.PatchDistances(features), 1)[0];
    }

    /// <summary>Per-detector level: the fused false-alarm rate split evenly (Bonferroni).</summary>
    public double DetectorLevel => Options.FalseAlarmRate / Detectors.Count;

    public void Save(Stream output) => ToArchive().Write(output);

    public void SaveFile(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        // Write then move, so a crash never leaves half a model where a good one was.
        var temp = path + ".tmp-" + Environment.ProcessId;
        using (var fs = File.Create(temp)) Save(fs);
        File.Move(temp, path, overwrite: true);
    }

    public byte[] ToBytes() => ToArchive().ToBytes();

    private ModelArchive ToArchive()
    {
        var a = new ModelArchive();
        a.Metadata["version"] = Version;
        a.Metadata["created"] = CreatedUtc.ToString("O", CultureInfo.InvariantCulture);
        a.Metadata["modelIdentity"] = ModelIdentity;
        a.Metadata["options"] = JsonSerializer.Serialize(Options);
        a.Metadata["imageCount"] = ImageCount.ToString(CultureInfo.InvariantCulture);
        a.Metadata["detectors"] = string.Join(",", Detectors.Select(d => d.Detector.Name));
        foreach (var d in Detectors)
        {
            d.Detector.Save(a);
            a.Arrays["cal." + d.Detector.Name] = d.Calibrator.Scores.ToArray();
        }
        return a;
    }

    public static ReferenceModel Load(ReadOnlySpan<byte> bytes) => FromArchive(ModelArchive.Read(bytes));

    public static ReferenceModel LoadFile(string path) => FromArchive(ModelArchive.ReadFile(path));

    private static ReferenceModel FromArchive(ModelArchive a)
    {
        try
        {
            var names = a.Meta("detectors").Split(',', StringSplitOptions.RemoveEmptyEntries);
            var detectors = names.Select(n => DetectorKinds.Get(n)).Select(kind => new CalibratedDetector(kind.Load(a), kind.Calibrator(a.Array("cal." + kind.Name)))).ToList();
            return new ReferenceModel
            {
                Version = a.Meta("version"),
                CreatedUtc = DateTimeOffset.Parse(a.Meta("created"), CultureInfo.InvariantCulture),
                ModelIdentity = a.Meta("modelIdentity"),
                Options = JsonSerializer.Deserialize<FitOptions>(a.Meta("options")) ?? new FitOptions(),
                ImageCount = int.Parse(a.Meta("imageCount"), CultureInfo.InvariantCulture),
                Detectors = detectors,
            };
        }
        catch (Exception e) when (e is FormatException or JsonException or IndexOutOfRangeException or ArgumentException)
        {
            throw new DriftException($"reference model is malformed: {e.Message}", e);
        }
    }

    /// <summary>A sortable, unique version: UTC time plus a short content hash.</summary>
    public static string NewVersion(DateTimeOffset now, ReadOnlySpan<byte> seed) =>
        now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + "-" + Convert.ToHexStringLower(SHA256.HashData(seed))[..8];
}
