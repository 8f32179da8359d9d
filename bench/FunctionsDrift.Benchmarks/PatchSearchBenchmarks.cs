using BenchmarkDotNet.Attributes;
using FunctionsDrift.Core.Detectors;
using FunctionsDrift.Core.Features;

namespace FunctionsDrift.Benchmarks;

/// <summary>
/// The patch detector's nearest-neighbour search (196 test patches against every bank row) by memory-bank size:
/// 256 is the coreset's minimum, 784 what the default 1 % keeps of a 400-image reference, 3136 four times that. One method
/// only, so no baseline: compare the rows.
/// </summary>
[MemoryDiagnoser]
public class PatchSearchBenchmarks
{
    private IDetector? _patch;
    private ImageFeatures? _test;

    [Params(256, 784, 3136)]
    public int BankRows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var options = new FitOptions { CoresetFraction = 0, CoresetMin = BankRows };
        _patch = DetectorKinds.Get(PatchNoveltyDetector.KindName).Fit(BenchReference.Reference, options);
        _test = BenchReference.Test;
    }

    [Benchmark(Description = "worst patch's nearest bank row")]
    public double Search() => _patch!.Score(_test!).Score;
}
