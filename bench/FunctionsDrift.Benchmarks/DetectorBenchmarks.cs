using BenchmarkDotNet.Attributes;
using FunctionsDrift.Core.Detectors;
using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Scoring;

namespace FunctionsDrift.Benchmarks;

/// <summary>Scoring ready features: every detector with p-values and fusion, and each detector's raw score alone.</summary>
[MemoryDiagnoser]
public class DetectorBenchmarks
{
    private DriftScorer? _scorer;
    private ImageFeatures? _test;
    private Dictionary<string, IDetector> _detectors = [];

    [GlobalSetup]
    public void Setup()
    {
        var model = BenchReference.Fit();
        _scorer = new DriftScorer(model);
        _test = BenchReference.Test;
        _detectors = model.Detectors.ToDictionary(d => d.Detector.Name, d => d.Detector);
    }

    [Benchmark(Baseline = true, Description = "all detectors + p-values + fusion")]
    public bool All() => _scorer!.Score(_test!).Drift;

    [Benchmark(Description = "pca")]
    public double Pca() => _detectors[PcaReconstructionDetector.KindName].Score(_test!).Score;

    [Benchmark(Description = "knn")]
    public double Knn() => _detectors[NearestNeighbourDetector.KindName].Score(_test!).Score;

    [Benchmark(Description = "hsv")]
    public double Hsv() => _detectors[HsvDivergenceDetector.KindName].Score(_test!).Score;

    [Benchmark(Description = "quality")]
    public double Quality() => _detectors[QualityDetector.KindName].Score(_test!).Score;

    [Benchmark(Description = "patch")]
    public double Patch() => _detectors[PatchNoveltyDetector.KindName].Score(_test!).Score;

    [Benchmark(Description = "view")]
    public double View() => _detectors[ViewShiftDetector.KindName].Score(_test!).Score;
}
