using System.Diagnostics;
using System.Text.RegularExpressions;
using FunctionsDrift.Cli.Reporting;
using Xunit.Abstractions;

namespace FunctionsDrift.Cli.Tests;

/// <summary>Opens the report in headless Chromium as a user would and checks every plot and thumbnail is in the DOM.</summary>
public sealed class ReportBrowserTests(ITestOutputHelper output) : IDisposable
{
    private const string Chromium = "/usr/bin/chromium";
    private readonly string _root = Directory.CreateTempSubdirectory("drift-report-browser-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task ReportBrowser_RendersEveryPlotAndThumbnail()
    {
        if (!File.Exists(Chromium))
        {
            output.WriteLine($"skipped: {Chromium} not installed (apt-get install chromium)");
            return;
        }
        var html = DriftReport.Build(ReportFixtures.Input(ReportFixtures.WriteImages(_root)));
        var page = Path.Combine(_root, "index.html");
        await File.WriteAllTextAsync(page, html);
        int expectedPlots = Regex.Count(html, "<svg data-plot=");
        Assert.Equal(3, expectedPlots);

        var dom = await DumpDom(page);

        Assert.Equal(expectedPlots, Regex.Count(dom, "<svg data-plot=\"[^\"]+\""));
        foreach (var id in new[] { "hist-hsv", "hist-quality", "drift-rate" })
        {
            Assert.Contains($"data-plot=\"{id}\"", dom);
        }
        Assert.Equal(3, Regex.Count(dom, "<img data-thumb=\"1\""));
        Assert.Contains("<table data-table=\"metrics\">", dom);
        Assert.Contains("threshold 5", dom);
    }

    private async Task<string> DumpDom(string page)
    {
        var psi = new ProcessStartInfo(Chromium)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", $"--user-data-dir={Path.Combine(_root, "profile")}", "--dump-dom", new Uri(page).AbsoluteUri })
        {
            psi.ArgumentList.Add(a);
        }
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        output.WriteLine(await stderr);
        var dom = await stdout;
        Assert.True(dom.Length > 1000, $"chromium exited {process.ExitCode} with {dom.Length} chars of DOM");
        return dom;
    }
}
