using FunctionsDrift.Core.Windows;

namespace FunctionsDrift.Core.Tests.Windows;

public sealed class WindowDriftTesterTests
{
    private static readonly WindowOptions Options = new() { WindowSize = 50, Permutations = 400, Seed = 5, Alpha = 0.01 };

    /// <summary>
    /// A per-image detector in the engine's style: distance of the normalised embedding to the reference mean, with the
    /// threshold set as the engine sets it: a conformal calibrator at the per-detector level of 0.2 % (1 % split over five
    /// detectors), which extrapolates the tail beyond the largest of 400 reference scores.
    /// </summary>
    private static (Func<float[], double> Score, double Threshold) PerImageDetector(IReadOnlyList<global::FunctionsDrift.Core.Features.ImageFeatures> reference)
    {
        var normed = reference.Select(f => WindowDriftTester.Normalise(f.Embedding)).ToList();
        var mean = new float[SyntheticStream.Dim];
        foreach (var v in normed) for (int i = 0; i < mean.Length; i++) mean[i] += v[i] / normed.Count;
        double Score(float[] e) => Math.Sqrt(TwoSampleTests.SquaredDistance(WindowDriftTester.Normalise(e), mean));
        var scores = normed.Select(v => (float)Math.Sqrt(TwoSampleTests.SquaredDistance(v, mean))).ToArray();
        return (Score, new global::FunctionsDrift.Core.Calibration.ConformalCalibrator(scores).Threshold(0.01 / 5));
    }

    [Fact]
    public void WindowDriftTester_GradualDriftNoSingleImageRevealsIsCaughtByTheLastWindows()
    {
        var reference = SyntheticStream.Reference(400, seed: 1);
        var stream = SyntheticStream.Gradual(windows: 8, size: 50, step: 0.015, seed: 2);

        // No single image crosses a per-image threshold (on the embedding, nor on brightness beyond the reference range).
        var (score, threshold) = PerImageDetector(reference);
        Assert.All(stream, s => Assert.True(score(s.Features.Embedding) < threshold, $"{s.Image} is flagged alone"));
        double maxBrightness = reference.Max(f => f.Quality[0]);
        Assert.True(stream.Count(s => s.Features.Quality[0] > maxBrightness) <= 2);

        var results = WindowDriftTester.Create(reference, Options).Run(stream);

        Assert.Equal(8, results.Count);
        Assert.All(results, r => Assert.Equal(50, r.Images));
        Assert.False(results[0].Drift, results[0].Verdict);
        Assert.True(results[^1].Drift, "the last window must be caught");
        Assert.True(results[^2].Drift, "the last but one window must be caught");
        Assert.True(results[^1].MmdFlagged);
        Assert.StartsWith("drift (mmd", results[^1].Verdict);
        // MMD² grows with the drift.
        Assert.True(results[^1].Mmd2 > results[0].Mmd2);
    }

    [Fact]
    public void WindowDriftTester_NoDriftIsNotFlagged()
    {
        var reference = SyntheticStream.Reference(400, seed: 11);
        var stream = SyntheticStream.Gradual(windows: 8, size: 50, step: 0, seed: 12);

        var results = WindowDriftTester.Create(reference, Options).Run(stream);

        Assert.Equal(8, results.Count);
        Assert.All(results, r => Assert.False(r.Drift, $"window {r.Label}: {r.Verdict} (MMD p={r.MmdPValue})"));
        Assert.All(results, r => Assert.Equal("ok", r.Verdict));
    }

    [Fact]
    public void WindowDriftTester_IsReproducibleWithTheSameSeed()
    {
        var reference = SyntheticStream.Reference(120, seed: 3);
        var stream = SyntheticStream.Gradual(windows: 2, size: 30, step: 0.02, seed: 4);
        var options = Options with { WindowSize = 30, Permutations = 99 };

        var a = WindowDriftTester.Create(reference, options).Run(stream);
        var b = WindowDriftTester.Create(reference, options).Run(stream);

        Assert.Equal(a.Select(r => r.MmdPValue), b.Select(r => r.MmdPValue));
        Assert.Equal(a.Select(r => r.Mmd2), b.Select(r => r.Mmd2));
        // p = (k + 1) / (n + 1).
        Assert.All(a, r => Assert.Equal(Math.Round(r.MmdPValue!.Value * 100), r.MmdPValue.Value * 100, 6));
    }

    [Fact]
    public void WindowDriftTester_DriftRateHasAWilsonInterval()
    {
        var reference = SyntheticStream.Reference(60, seed: 3);
        var rng = new Random(9);
        var stream = Enumerable.Range(0, 20).Select(i => new WindowSample($"i{i}", SyntheticStream.Make(rng, 0), Flagged: i < 5)).ToList();

        var result = WindowDriftTester.Create(reference, Options with { WindowSize = 20, Permutations = 50 }).Run(stream).Single();

        Assert.NotNull(result.Rate);
        Assert.Equal(5, result.Rate!.Flagged);
        Assert.Equal(20, result.Rate.Scored);
        Assert.Equal(0.25, result.Rate.Rate, 10);
        Assert.Equal(0.1119, result.Rate.Low, 3);
        Assert.Equal(0.4687, result.Rate.High, 3);
    }

    [Fact]
    public void WindowDriftTester_SmallLastWindowIsReportedButNotTested()
    {
        var reference = SyntheticStream.Reference(60, seed: 3);
        var stream = SyntheticStream.Gradual(windows: 1, size: 23, step: 0, seed: 4);

        var results = WindowDriftTester.Create(reference, Options with { WindowSize = 10, Permutations = 20 }).Run(stream);

        Assert.Equal(["1-10", "11-20", "21-23"], results.Select(r => r.Label));
        Assert.False(results[2].Tested);
        Assert.Equal("too few images", results[2].Verdict);
    }

    [Fact]
    public void WindowDriftTester_SplitsByTimeWhenAPeriodIsGiven()
    {
        var t0 = new DateTimeOffset(2026, 1, 1, 10, 0, 0, TimeSpan.Zero);
        var rng = new Random(1);
        // Out of order on purpose: windows follow the timestamps.
        var stream = new[] { 130, 5, 65, 70, 0, 125 }.Select(m => new WindowSample($"m{m}", SyntheticStream.Make(rng, 0), t0.AddMinutes(m))).ToList();

        var windows = WindowDriftTester.Split(stream, new WindowOptions { Period = TimeSpan.FromHours(1) }).ToList();

        Assert.Equal(3, windows.Count);
        Assert.Equal(["m0", "m5"], windows[0].Items.Select(s => s.Image));
        Assert.Equal(["m65", "m70"], windows[1].Items.Select(s => s.Image));
        Assert.Equal(["m125", "m130"], windows[2].Items.Select(s => s.Image));
        Assert.Equal(t0.AddHours(2), windows[2].Start);
        Assert.Equal("2026-01-01 12:00", windows[2].Label);
    }

    [Fact]
    public void WindowDriftTester_WithoutEmbeddingsUsesChannelTestsOnly()
    {
        var rng = new Random(2);
        var reference = Enumerable.Range(0, 100).Select(_ => SyntheticStream.Make(rng, 0) with { Embedding = [] }).ToList();
        var stream = Enumerable.Range(0, 40).Select(i => new WindowSample($"i{i}", SyntheticStream.Make(rng, 2) with { Embedding = [] })).ToList();

        var tester = WindowDriftTester.Create(reference, Options with { WindowSize = 40 });
        var result = tester.Run(stream).Single();

        Assert.False(tester.HasEmbeddings);
        Assert.Null(result.MmdPValue);
        Assert.True(result.Drift);
        Assert.Contains(result.FlaggedChannels, c => c.Channel == "value_mean");
        Assert.Contains(result.FlaggedChannels, c => c.Channel == "brightness");
    }
}
