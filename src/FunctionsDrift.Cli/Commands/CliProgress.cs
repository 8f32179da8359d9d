using Spectre.Console;

namespace FunctionsDrift.Cli.Commands;

/// <summary>Progress for long work: a Spectre.Console bar on a terminal, plain lines (every 10 %) when output is redirected.</summary>
internal static class CliProgress
{
    public static T Run<T>(CliContext ctx, string description, int total, Func<IProgress<int>, T> work)
    {
        if (total <= 0)
        {
            return work(new Sink(_ => { }));
        }
        if (ctx.Interactive)
        {
            T result = default!;
            AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(c =>
                {
                    var task = c.AddTask(description, maxValue: total);
                    result = work(new Sink(v => task.Value = v));
                    task.Value = total;
                });
            return result;
        }
        int lastDecile = -1;
        var gate = new object();
        ctx.Error.WriteLine($"{description}: 0/{total}");
        var r = work(new Sink(v =>
        {
            int decile = v * 10 / total;
            lock (gate)
            {
                if (decile > lastDecile && decile > 0)
                {
                    lastDecile = decile;
                    ctx.Error.WriteLine($"{description}: {v}/{total}");
                }
            }
        }));
        return r;
    }

    private sealed class Sink(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
