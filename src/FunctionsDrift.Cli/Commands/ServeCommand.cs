using System.CommandLine;
using FunctionsDrift.LocalHost;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FunctionsDrift.Cli.Commands;

/// <summary><c>drift serve</c>: the Functions handlers hosted in-process by the WebJobs SDK against Azurite (or a storage account).</summary>
internal static class ServeCommand
{
    public static Command Create(CliContext ctx)
    {
        var connection = StorageOptions.Connection();
        var images = new Option<string>("--images") { Description = "Container whose new blobs are scored.", DefaultValueFactory = _ => "images" };
        var reference = new Option<string>("--reference") { Description = "Container of reference images.", DefaultValueFactory = _ => "reference" };
        var schedule = new Option<string>("--refit-schedule") { Description = "NCRONTAB schedule (6 fields, UTC) of the refit.", DefaultValueFactory = _ => "0 0 3 * * *" };
        var scan = new Option<int>("--scan-ms") { Description = "Shortest gap between listings of the images container (backs off to 1 s while nothing new arrives).", DefaultValueFactory = _ => 250 };
        var parallel = CommonOptions.Parallelism();
        var verbose = new Option<bool>("--verbose") { Description = "Log every scored image." };
        var cmd = new Command("serve", "Run the drift app locally: score new blobs of the images container into the results table, refit on a schedule.")
        {
            connection, images, reference, schedule, scan, parallel, verbose,
        };
        cmd.SetAction((pr, ct) => ctx.Guard(async token =>
        {
            var options = new LocalHostOptions
            {
                Connection = pr.GetValue(connection)!,
                ScanInterval = TimeSpan.FromMilliseconds(Math.Max(50, pr.GetValue(scan))),
                Parallelism = pr.GetValue(parallel),
                Settings = new Dictionary<string, string?>
                {
                    ["ImagesContainer"] = pr.GetValue(images),
                    ["ReferenceContainer"] = pr.GetValue(reference),
                    ["RefitSchedule"] = pr.GetValue(schedule),
                },
                ConsoleLogLevel = pr.GetValue(verbose) ? LogLevel.Information : LogLevel.Warning,
            };
            using var host = DriftLocalHost.Build(options, b =>
            {
                if (!pr.GetValue(verbose))
                {
                    // Keep start-up and refit lines, not one line per image.
                    b.AddFilter("FunctionsDrift", LogLevel.Information);
                    b.AddFilter("FunctionsDrift.Storage.ScoringService", LogLevel.Warning);
                }
            });
            ctx.Error.WriteLine($"drift serve: watching container '{pr.GetValue(images)}' (Ctrl+C to stop)");
            await host.StartAsync(token);
            try
            {
                await Task.Delay(Timeout.Infinite, token);
            }
            catch (OperationCanceledException)
            {
            }
            await host.StopAsync(CancellationToken.None);
            ctx.Error.WriteLine("drift serve: stopped");
            return (int)ExitCode.Ok;
        }, ct));
        return cmd;
    }
}
