using System.CommandLine;

namespace FunctionsDrift.Cli.Commands;

/// <summary>
/// <c>drift bench-host</c>: upload-to-row latency (paced uploads) and sustained images/s (a burst) through the local host,
/// against the in-process scoring rate of the same images. A benchmark, not a test: uses fresh containers on the given storage.
/// The measurement itself is <see cref="HostBenchmark"/>.
/// </summary>
internal static class BenchHostCommand
{
    public static Command Create(CliContext ctx)
    {
        var reference = new Option<string>("--reference") { Description = "Folder of reference images.", Required = true };
        var images = new Option<string>("--images") { Description = "Folder of images to push through the host.", Required = true };
        var paced = new Option<int>("--paced") { Description = "Images uploaded one at a time for latency.", DefaultValueFactory = _ => 40 };
        var interval = new Option<int>("--interval-ms") { Description = "Gap between paced uploads.", DefaultValueFactory = _ => 500 };
        var burst = new Option<int>("--burst") { Description = "Images uploaded at once for throughput (the test images repeat under new names; long enough that start-up and tail do not dominate).", DefaultValueFactory = _ => 1000 };
        var connection = StorageOptions.Connection();
        var cmd = new Command("bench-host", "Measure upload-to-row latency and throughput through the local host.") { reference, images, paced, interval, burst, connection };
        cmd.SetAction((pr, ct) => ctx.Guard(async token =>
        {
            var benchmark = new HostBenchmark(ctx, pr.GetValue(connection)!, pr.GetValue(paced), TimeSpan.FromMilliseconds(pr.GetValue(interval)), pr.GetValue(burst));
            await benchmark.RunAsync(CommonOptions.ListImages(ctx, pr.GetValue(reference)!), CommonOptions.ListImages(ctx, pr.GetValue(images)!), token);
            return (int)ExitCode.Ok;
        }, ct));
        return cmd;
    }
}
