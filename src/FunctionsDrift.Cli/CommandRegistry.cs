using System.CommandLine;

namespace FunctionsDrift.Cli;

/// <summary>The list of verbs. Each verb lives in its own file under Commands/.</summary>
internal static class CommandRegistry
{
    public static IEnumerable<Command> All(CliContext ctx)
    {
        yield break;
    }
}
