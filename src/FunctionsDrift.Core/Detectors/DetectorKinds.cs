namespace FunctionsDrift.Core.Detectors;

/// <summary>All detector kinds, in report order.</summary>
public static class DetectorKinds
{
    public static readonly IReadOnlyList<IDetectorKind> All =
    [
        new PcaReconstructionDetector.Kind(),
        new NearestNeighbourDetector.Kind(),
        new HsvDivergenceDetector.Kind(),
        new QualityDetector.Kind(),
        new PatchNoveltyDetector.Kind(),
        new ViewShiftDetector.Kind(),
        new RegionNoveltyDetector.Kind(scale: 0), // region
        new RegionNoveltyDetector.Kind(scale: 1), // wide
    ];

    public static IDetectorKind Get(string name) =>
        All.FirstOrDefault(k => k.Name == name) ?? throw new DriftException($"unknown detector '{name}' (known: {string.Join(", ", All.Select(k => k.Name))})");
}
