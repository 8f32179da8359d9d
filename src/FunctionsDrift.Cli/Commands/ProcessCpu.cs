using System.Globalization;

namespace FunctionsDrift.Cli.Commands;

/// <summary>CPU time of other local processes, read from Linux <c>/proc</c> (bench-host's Azurite share of the cores).</summary>
internal static class ProcessCpu
{
    /// <summary>Clock ticks per second of <c>/proc/PID/stat</c> (USER_HZ, 100 on Linux).</summary>
    private const double TicksPerSecond = 100.0;

    /// <summary>User + system CPU of the processes whose command line contains <paramref name="text"/>, or null (none, or no /proc).</summary>
    public static TimeSpan? OfCommandLinesContaining(string text)
    {
        try
        {
            long ticks = 0;
            bool any = false;
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
                try
                {
                    if (!File.ReadAllText(Path.Combine(dir, "cmdline")).Contains(text, StringComparison.Ordinal)) continue;
                    // Fields after the parenthesised command name, which may itself hold spaces: utime and stime are the 12th and 13th.
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                    any = true;
                }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
            return any ? TimeSpan.FromSeconds(ticks / TicksPerSecond) : null;
        }
        catch (IOException) { return null; }
    }
}
