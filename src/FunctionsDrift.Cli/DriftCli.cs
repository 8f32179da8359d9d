using System.CommandLine;

namespace FunctionsDrift.Cli;

/// <summary>Exit codes of the <c>drift</c> command.</summary>
public enum ExitCode
{
    Ok = 0,
    Failure = 1,
    Usage = 2,
    Cancelled = 130,
}

/// <summary>An expected failure: printed as one <c>error:</c> line, no stack trace.</summary>
public sealed class CliException(string message, ExitCode code = ExitCode.Failure) : Exception(message)
{
    public ExitCode Code { get; } = code;
}

/// <summary>Builds the root command from one factory per verb and runs it.</summary>
public static class DriftCli
{
    public static RootCommand BuildRoot(CliContext ctx)
    {
        var root = new RootCommand("drift — image drift detection for fixed cameras and image feeds (ResNet18 embeddings + colour + quality).");
        // One factory per verb; keep this list in the order of the README.
        foreach (var command in CommandRegistry.All(ctx))
        {
            root.Subcommands.Add(command);
        }
        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += onCancel;
        var ctx = new CliContext(stdout, stderr);
        try
        {
            var root = BuildRoot(ctx);
            var parse = root.Parse(args);
            return await parse.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr }, cts.Token);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}

/// <summary>Writers and shared state handed to every command, so tests can read the output.</summary>
public sealed class CliContext(TextWriter stdout, TextWriter stderr)
{
    public TextWriter Out { get; } = stdout;
    public TextWriter Error { get; } = stderr;

    /// <summary>True when stdout is a terminal we may draw progress bars on.</summary>
    public bool Interactive => ReferenceEquals(Out, Console.Out) && !Console.IsOutputRedirected;

    /// <summary>Runs a command body, mapping expected failures to one error line and an exit code.</summary>
    public async Task<int> Guard(Func<CancellationToken, Task<int>> body, CancellationToken ct)
    {
        try
        {
            return await body(ct);
        }
        catch (CliException e)
        {
            Error.WriteLine($"error: {e.Message}");
            return (int)e.Code;
        }
        catch (FunctionsDrift.Core.DriftException e)
        {
            Error.WriteLine($"error: {e.Message}");
            return (int)ExitCode.Failure;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Error.WriteLine("error: cancelled");
            return (int)ExitCode.Cancelled;
        }
    }
}
