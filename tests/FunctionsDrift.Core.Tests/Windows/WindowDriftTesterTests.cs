using FunctionsDrift.Core.Windows;

namespace FunctionsDrift.Core.Tests.Windows;

public sealed class WindowDriftTesterTests
{
    private static readonly WindowOptions Options = new() { WindowSize = 50, Alpha = 0.01 };

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
    public void WindowDriftTester_AutocorrelatedCleanStreamIsNotFlaggedAtTheNominalLevel()
    {
        // 40 seeds × 5 windows of a slowly moving scene (frame-to-frame correlation 0.9), tested at α = 5 % so that the
        // count says something; the reference spans a hundred correlation lengths.
        const int seeds = 40;
        var options = Options with { Alpha = 0.05 };
        int windows = 0, flagged = 0, exchangeableFlags = 0;
        for (int seed = 0; seed < seeds; seed++)
        {
            var reference = SyntheticStream.Moving(1000, seed: 1000 + seed, rho: 0.9);
            var stream = SyntheticStream.Samples(SyntheticStream.Moving(250, seed: 2000 + seed, rho: 0.9));
            var results = WindowDriftTester.Create(reference, options).Run(stream);
            windows += results.Count;
            flagged += results.Count(r => r.Drift);
            // The test that assumes exchangeable images (KS on brightness against the whole reference) on the same windows.
            var brightness = reference.Select(f => (double)f.Quality[0]).ToArray();
            exchangeableFlags += results.Count(r => TwoSampleTests.KolmogorovSmirnov(brightness,
                stream.Skip(r.Index * 50).Take(50).Select(s => (double)s.Features.Quality[0]).ToArray()).PValue <= options.Alpha);
        }

        Assert.Equal(seeds * 5, windows);
        // Nominal 5 %: 10 of 200 expected; 18 is 2.6 standard deviations above.
        Assert.True(flagged <= 18, $"{flagged} of {windows} clean windows flagged");
        // The stream is autocorrelated enough that the exchangeable test fails on it.
        Assert.True(exchangeableFlags > windows / 3, $"the exchangeable KS flagged only {exchangeableFlags} of {windows}");
    }

    [Fact]
    public void WindowDriftTester_AbruptShiftIsFlaggedFromTheWindowItStarts()
    {
        var reference = SyntheticStream.Moving(1000, seed: 11, rho: 0.9);
        // From frame 150 on, a shift no single frame reveals against the scene's own movement.
        var stream = SyntheticStream.Samples(SyntheticStream.Moving(300, seed: 12, shift: t => t >= 150 ? 0.5 : 0, rho: 0.9));

        var results = WindowDriftTester.Create(reference, Options).Run(stream);

        Assert.Equal(6, results.Count);
        Assert.All(results.Take(3), r => Assert.False(r.Drift, $"{r.Label}: {r.Verdict} p={r.PValue}"));
        Assert.All(results.Skip(3), r => Assert.True(r.Drift, $"{r.Label}: p={r.PValue}"));
    }

    [Fact]
    public void WindowDriftTester_GradualShiftIsCaughtByTheLastWindows()
    {
        var reference = SyntheticStream.Moving(1000, seed: 21, rho: 0.9);
        var stream = SyntheticStream.Samples(SyntheticStream.Moving(400, seed: 22, shift: t => t * 0.0015, rho: 0.9));

        // Most images pass a per-image threshold, none of the first 150.
        var (score, threshold) = PerImageDetector(reference);
        Assert.True(stream.Count(s => score(s.Features.Embedding) >= threshold) < stream.Count / 4);
        Assert.All(stream.Take(150), s => Assert.True(score(s.Features.Embedding) < threshold, $"{s.Image} is flagged alone"));

        var results = WindowDriftTester.Create(reference, Options).Run(stream);

        Assert.Equal(8, results.Count);
        Assert.False(results[0].Drift, results[0].Verdict);
        Assert.True(results[^1].Drift, "the last window must be caught");
        Assert.True(results[^2].Drift, "the last but one window must be caught");
        Assert.StartsWith("drift (", results[^1].Verdict);
        Assert.True(results[^1].Mmd2 > results[0].Mmd2);
    }

    [Fact]
    public void WindowDriftTester_IndependentImagesWithoutDriftAreNotFlagged()
    {
        var reference = SyntheticStream.Reference(400, seed: 11);
        var stream = SyntheticStream.Gradual(windows: 8, size: 50, step: 0, seed: 12);

        var results = WindowDriftTester.Create(reference, Options).Run(stream);

        Assert.Equal(8, results.Count);
        Assert.All(results, r => Assert.Equal("ok", r.Verdict));
    }

    [Fact]
    public void WindowDriftTester_ReferenceTooShortForAlphaSaysSoAndHowLongItMustBe()
    {
        var reference = SyntheticStream.Moving(200, seed: 3, rho: 0);

        var e = Assert.Throws<DriftException>(() => WindowDriftTester.Create(reference, Options));

        // 200 images, windows of 50 with a guard band of 50: 151 sliding windows, 3 independent ones.
        Assert.Contains("the reference is too short for windows of 50 images: 200 reference images hold 151 sliding windows of that size (guard band 50) but only 3 independent ones", e.Message);
        Assert.Contains("ranks alone reach p = 1/(K + 1) = 0.249", e.Message);
        int needed = WindowDriftTester.MinimumReference(50, 50);
        Assert.Contains($"at least {needed} images", e.Message);
        // Twice the stated length is enough for independent frames.
        var enough = WindowDriftTester.Create(SyntheticStream.Moving(2 * needed, seed: 3, rho: 0), Options);
        Assert.True(enough.NullSize(50).Effective >= 5);
    }

    [Fact]
    public void WindowDriftTester_TimeWindowsOfASizeTheReferenceCannotTestAreReportedUntested()
    {
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var reference = SyntheticStream.Moving(400, seed: 5, rho: 0);
        // 30 images in the first hour, 100 in the next: 400 reference images hold 10 independent windows of 30, 2 of 100.
        var stream = SyntheticStream.Moving(130, seed: 6).Select((f, i) => new WindowSample($"i{i}", f, t0.AddMinutes(i < 30 ? i : 60 + (i - 30) * 0.5))).ToList();

        var results = WindowDriftTester.Create(reference, Options with { Period = TimeSpan.FromHours(1) }).Run(stream);

        Assert.Equal([30, 100], results.Select(r => r.Images));
        Assert.True(results[0].Tested);
        Assert.False(results[1].Tested);
        Assert.StartsWith("reference too short for 100 images", results[1].Verdict);
    }

    [Fact]
    public void WindowDriftTester_IsDeterministic()
    {
        var reference = SyntheticStream.Moving(400, seed: 3);
        var stream = SyntheticStream.Samples(SyntheticStream.Moving(60, seed: 4, shift: _ => 0.02));
        var options = Options with { WindowSize = 30, Alpha = 0.05 };

        var a = WindowDriftTester.Create(reference, options).Run(stream);
        var b = WindowDriftTester.Create(reference, options).Run(stream);

        Assert.Equal(a.Select(r => r.PValue), b.Select(r => r.PValue));
        Assert.Equal(a.Select(r => r.Mmd2), b.Select(r => r.Mmd2));
        var (m, k, smallest) = WindowDriftTester.Create(reference, options).NullSize(30);
        Assert.Equal(400 - 30 + 1, m);
        Assert.InRange(k, 5, m / 30.0);
        Assert.Equal(1 / (k + 1), smallest, 12);
        Assert.Equal("f0000", a[0].First);
        Assert.Equal("f0029", a[0].Last);
    }

    [Fact]
    public void WindowDriftTester_LongReferenceIsCutIntoContiguousStretches()
    {
        var reference = SyntheticStream.Moving(3000, seed: 8);

        var tester = WindowDriftTester.Create(reference, Options with { MaxReference = 1000 });

        Assert.Equal(3000, tester.ReferenceCount);
        Assert.Equal(4, tester.ReferenceStretches); // 1000 / (5 × 50)
        Assert.Equal(1000, tester.KeptReference);
        // Reference windows stay inside a stretch: 4 × (250 − 50 + 1) starts.
        Assert.Equal(4 * 201, tester.NullSize(50).Windows);
    }

    [Fact]
    public void WindowDriftTester_DriftRateHasAWilsonInterval()
    {
        var reference = SyntheticStream.Reference(300, seed: 3);
        var rng = new Random(9);
        var stream = Enumerable.Range(0, 20).Select(i => new WindowSample($"i{i}", SyntheticStream.Make(rng, 0), Flagged: i < 5)).ToList();

        var result = WindowDriftTester.Create(reference, Options with { WindowSize = 20, Alpha = 0.05 }).Run(stream).Single();

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
        var reference = SyntheticStream.Reference(300, seed: 3);
        var stream = SyntheticStream.Gradual(windows: 1, size: 23, step: 0, seed: 4);

        var results = WindowDriftTester.Create(reference, Options with { WindowSize = 10 }).Run(stream);

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
        var reference = SyntheticStream.Moving(400, seed: 2, rho: 0.5).Select(f => f with { Embedding = [] }).ToList();
        var stream = SyntheticStream.Samples(SyntheticStream.Moving(40, seed: 3, shift: _ => 2, rho: 0.5).Select(f => f with { Embedding = [] }));

        var tester = WindowDriftTester.Create(reference, Options with { WindowSize = 40 });
        var result = tester.Run(stream).Single();

        Assert.False(tester.HasEmbeddings);
        Assert.Null(result.MmdPValue);
        Assert.True(result.Drift);
        Assert.Contains(result.FlaggedChannels, c => c.Channel == "value_mean");
        Assert.All(result.Channels.Where(c => c.Channel is not ("value_mean" or "brightness")), c => Assert.False(c.Flagged, c.Channel));
    }
}
