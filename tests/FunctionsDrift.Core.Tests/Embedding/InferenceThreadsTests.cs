using FunctionsDrift.Core.Embedding;

namespace FunctionsDrift.Core.Tests.Embedding;

public sealed class InferenceThreadsTests
{
    [Theory]
    [InlineData(1, 2, 2)]  // one image at a time gets both cores
    [InlineData(2, 2, 1)]  // two at once: one thread each, never 2 × 2 on 2 cores
    [InlineData(16, 2, 1)] // more images than cores: still one each
    [InlineData(0, 2, 2)]  // no parallelism given: one image
    [InlineData(2, 8, 4)]
    [InlineData(3, 8, 2)]
    public void PerImage_SharesTheCoresOutWithoutOversubscribing(int imagesAtOnce, int cores, int expected)
    {
        var threads = InferenceThreads.PerImage(imagesAtOnce, cores);
        Assert.Equal(expected, threads);
        Assert.True(threads * Math.Clamp(imagesAtOnce, 1, cores) <= cores);
    }
}
