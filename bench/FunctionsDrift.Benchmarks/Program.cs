using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace FunctionsDrift.Benchmarks;

/// <summary>Runs the benchmarks chosen by BenchmarkDotNet's command line (<c>--filter '*'</c> for all).</summary>
public static class Program
{
    public static void Main(string[] args)
    {
        // In process: no per-run generated project to build (minutes and hundreds of MB on this machine); a short job by
        // default, since these loops take microseconds to milliseconds and the shared machine is noisy anyway.
        var config = DefaultConfig.Instance
            .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
            .WithOptions(ConfigOptions.DisableOptimizationsValidator);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
    }
}
