using FunctionsDrift.Core.Windows;

namespace FunctionsDrift.Core.Tests.Windows;

public sealed class TwoSampleTestsTests
{
    [Theory]
    [InlineData(0, 10, 0.0, 0.2775)]
    [InlineData(5, 10, 0.2366, 0.7634)]
    [InlineData(10, 10, 0.7225, 1.0)]
    [InlineData(1, 100, 0.0018, 0.0545)]
    public void TwoSampleTests_WilsonMatchesPublishedValues(int k, int n, double low, double high)
    {
        var (lo, hi) = TwoSampleTests.Wilson(k, n);
        Assert.Equal(low, lo, 3);
        Assert.Equal(high, hi, 3);
    }

    [Fact]
    public void TwoSampleTests_HolmAdjustsStepDownAndKeepsOrder()
    {
        var adjusted = TwoSampleTests.Holm([0.01, 0.04, 0.03, 0.005]);
        // Sorted: 0.005×4=0.02, 0.01×3=0.03, 0.03×2=0.06, 0.04×1=0.04→0.06 (monotone).
        Assert.Equal([0.03, 0.06, 0.06, 0.02], adjusted.Select(v => Math.Round(v, 10)));
    }

    [Fact]
    public void TwoSampleTests_KolmogorovQMatchesTheCriticalValue()
    {
        Assert.Equal(0.05, TwoSampleTests.KolmogorovQ(1.358), 3);
        Assert.Equal(0.01, TwoSampleTests.KolmogorovQ(1.628), 3);
        Assert.Equal(1.0, TwoSampleTests.KolmogorovQ(0));
    }

    [Fact]
    public void TwoSampleTests_KolmogorovSmirnovSeesAShiftAndNotItsAbsence()
    {
        var rng = new Random(4);
        double[] a = [.. Enumerable.Range(0, 200).Select(_ => SyntheticStream.Gauss(rng))];
        double[] same = [.. Enumerable.Range(0, 100).Select(_ => SyntheticStream.Gauss(rng))];
        double[] shifted = [.. Enumerable.Range(0, 100).Select(_ => SyntheticStream.Gauss(rng) + 0.8)];

        Assert.True(TwoSampleTests.KolmogorovSmirnov(a, same).PValue > 0.05);
        var (d, p) = TwoSampleTests.KolmogorovSmirnov(a, shifted);
        Assert.True(p < 1e-4, $"p={p}");
        Assert.InRange(d, 0.2, 0.5);
        // Disjoint samples: D = 1.
        Assert.Equal(1.0, TwoSampleTests.KolmogorovSmirnov([1, 2, 3], [4, 5, 6]).D);
    }

    [Fact]
    public void TwoSampleTests_MmdIsZeroInExpectationAndPositiveUnderShift()
    {
        var rng = new Random(8);
        List<float[]> Sample(int n, float shift) =>
            [.. Enumerable.Range(0, n).Select(_ => new[] { (float)SyntheticStream.Gauss(rng) + shift, (float)SyntheticStream.Gauss(rng) })];
        var x = Sample(100, 0);
        double sigma2 = TwoSampleTests.MedianHeuristicSigma2(x);

        var (nullMmd, nullP) = TwoSampleTests.MmdPermutationTest(x, Sample(50, 0), sigma2, 199, seed: 1);
        var (altMmd, altP) = TwoSampleTests.MmdPermutationTest(x, Sample(50, 1.5f), sigma2, 199, seed: 1);

        Assert.True(nullP > 0.05, $"null p={nullP}");
        Assert.InRange(nullMmd, -0.05, 0.05);
        Assert.Equal(1.0 / 200, altP, 10);
        Assert.True(altMmd > 0.1);
    }

    [Fact]
    public void TwoSampleTests_Wasserstein1IsTheAreaBetweenTheDistributionFunctions()
    {
        Assert.Equal(0, TwoSampleTests.Wasserstein1([1, 2, 3], [3, 2, 1]), 12);
        Assert.Equal(1, TwoSampleTests.Wasserstein1([0], [1]), 12);
        // A shift by c moves every quantile by c.
        Assert.Equal(2.5, TwoSampleTests.Wasserstein1([0, 1, 5, 7], [2.5, 3.5, 7.5, 9.5]), 12);
        // Half the mass moved by 4: 2.
        Assert.Equal(2, TwoSampleTests.Wasserstein1([0, 0], [0, 4]), 12);
        // Unequal sizes: {0, 1} against {0}: F differs by 1/2 on [0, 1).
        Assert.Equal(0.5, TwoSampleTests.Wasserstein1([0, 1], [0]), 12);
    }

    [Fact]
    public void TwoSampleTests_MedianHeuristicIsHalfTheMedianSquaredDistance()
    {
        List<float[]> rows = [[0f], [1f], [3f]]; // squared distances 1, 9, 4 → median 4
        Assert.Equal(2.0, TwoSampleTests.MedianHeuristicSigma2(rows), 10);
    }
}
