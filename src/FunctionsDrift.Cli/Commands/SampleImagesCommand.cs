using System.CommandLine;
using FunctionsDrift.LocalHost;

namespace FunctionsDrift.Cli.Commands;

/// <summary><c>drift sample-images DIR</c>: synthetic camera frames for the demo (DIR/reference, DIR/incoming with drifted ones).</summary>
internal static class SampleImagesCommand
{
    public static Command Create(CliContext ctx)
    {
        var dir = new Argument<string>("dir") { Description = "Output folder." };
        var cmd = new Command("sample-images", "Write synthetic sample frames: DIR/reference (normal) and DIR/incoming (normal and drifted).") { dir };
        cmd.SetAction((pr, ct) => ctx.Guard(token =>
        {
            var (reference, incoming) = SampleScenes.WriteDemo(pr.GetValue(dir)!);
            ctx.Out.WriteLine($"wrote {reference} reference and {incoming} incoming images under {pr.GetValue(dir)}");
            return Task.FromResult((int)ExitCode.Ok);
        }, ct));
        return cmd;
    }
}
