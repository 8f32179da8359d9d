using System.CommandLine;

namespace FunctionsDrift.Cli;

/// <summary>The list of verbs. Each verb lives in its own file under Commands/.</summary>
internal static class CommandRegistry
{
    public static IEnumerable<Command> All(CliContext ctx)
    {
        yield return Commands.FitCommand.Create(ctx);
        yield return Commands.ScoreCommand.Create(ctx);
        yield return Commands.EmbedCommand.Create(ctx);
        yield return Commands.EvalCommand.Create(ctx);
        yield return Commands.BenchCommand.Create(ctx);
        yield return Commands.AugmentCommand.Create(ctx);
        yield return Commands.GalleryCommand.Create(ctx);
        yield return Commands.ServeCommand.Create(ctx);
        yield return Commands.UploadCommand.Create(ctx);
        yield return Commands.ResultsCommand.Create(ctx);
        yield return Commands.SummaryCommand.Create(ctx);
        yield return Commands.BenchHostCommand.Create(ctx);
        yield return Commands.SampleImagesCommand.Create(ctx);
        yield return Commands.ReportCommand.Create(ctx);
        yield return Commands.WindowsCommand.Create(ctx);
        yield return Commands.QuantizeCommand.Create(ctx);
        yield return Commands.WindowsPowerCommand.Create(ctx);
    }
}
