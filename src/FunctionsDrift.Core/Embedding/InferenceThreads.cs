namespace FunctionsDrift.Core.Embedding;

/// <summary>
/// The one rule for ONNX Runtime's intra-op threads in every host (CLI, local host, Functions app): the cores are shared
/// out among the images embedded at the same time, at least one thread each, so that the threads never outnumber the
/// cores. On 2 cores: 2 threads for one image at a time, 1 thread each for two (measured in docs/functions.md#threads).
/// </summary>
public static class InferenceThreads
{
    /// <param name="imagesAtOnce">Images the host embeds concurrently (its parallelism, at most one per core is useful).</param>
    /// <param name="cores">Cores to share; 0 = <see cref="Environment.ProcessorCount"/>.</param>
    public static int PerImage(int imagesAtOnce, int cores = 0)
    {
        cores = cores > 0 ? cores : Environment.ProcessorCount;
        return Math.Max(1, cores / Math.Clamp(imagesAtOnce, 1, cores));
    }
}
