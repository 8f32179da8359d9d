using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Windows;

namespace FunctionsDrift.Core.Tests.Windows;

public sealed class ReferenceWindowsTests
{
    [Theory]
    [InlineData(0, 20, 10)]
    [InlineData(37, 20, 10)]
    [InlineData(100, 20, 0)]
    [InlineData(180, 20, 15)]
    public void ReferenceWindows_BlockSumsAgreeWithTheDirectStatistics(int start, int size, int guard)
    {
        var reference = SyntheticStream.Moving(200, seed: 4);
        int channels = WindowDriftTester.ChannelNames.Count;
        var windows = ReferenceWindows.Create(reference, 1000, size, channels);
        var fast = new double[windows.Tests];
        windows.ReferenceWindowStatistics(start, size, guard, fast);

        // The same statistics from scratch: the window against the reference less the band, as a stream window against a reference.
        int b0 = Math.Max(0, start - guard), b1 = Math.Min(reference.Count, start + size + guard);
        var window = reference.Skip(start).Take(size).ToList();
        var rest = reference.Take(b0).Concat(reference.Skip(b1)).ToList();
        var x = rest.Select(f => WindowDriftTester.Normalise(f.Embedding)).ToList();
        var y = window.Select(f => WindowDriftTester.Normalise(f.Embedding)).ToList();
        var pool = x.Concat(y).ToList();
        var gram = TwoSampleTests.GaussianGram(pool, windows.Sigma2);
        var order = Enumerable.Range(x.Count, y.Count).Concat(Enumerable.Range(0, x.Count)).ToArray();
        Assert.Equal(TwoSampleTests.Mmd2Unbiased(gram, order, y.Count), fast[0], 9);

        var all = reference.Select(f => WindowDriftTester.ChannelValue(f, 3)).ToArray();
        double mean = all.Average(), sd = Math.Sqrt(all.Sum(v => (v - mean) * (v - mean)) / (all.Length - 1));
        double direct = TwoSampleTests.Wasserstein1(rest.Select(f => WindowDriftTester.ChannelValue(f, 3)).ToArray(), window.Select(f => WindowDriftTester.ChannelValue(f, 3)).ToArray()) / sd;
        Assert.Equal(direct, fast[1 + 3], 9);

        // And the stream path on the whole reference agrees with the direct MMD too.
        var streamStats = new double[windows.Tests];
        windows.StreamWindowStatistics(window, streamStats, mmd: true);
        var whole = reference.Select(f => WindowDriftTester.Normalise(f.Embedding)).Concat(y).ToList();
        var gramWhole = TwoSampleTests.GaussianGram(whole, windows.Sigma2);
        var orderWhole = Enumerable.Range(reference.Count, y.Count).Concat(Enumerable.Range(0, reference.Count)).ToArray();
        Assert.Equal(TwoSampleTests.Mmd2Unbiased(gramWhole, orderWhole, y.Count), streamStats[0], 9);
    }
}
