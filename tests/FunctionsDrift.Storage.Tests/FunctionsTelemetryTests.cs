using System.Collections.Concurrent;
using FunctionsDrift.Functions;
using Microsoft.ApplicationInsights;
using Microsoft.ApplicationInsights.Channel;
using Microsoft.ApplicationInsights.DataContracts;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FunctionsDrift.Storage.Tests;

/// <summary>
/// The Functions app's host, built with Program.cs's registrations and an Application Insights channel that keeps what it
/// is given: the DriftVerdict trace must reach it with the values the drift-rate alert reads.
/// </summary>
public sealed class FunctionsTelemetryTests
{
    [Fact]
    public void BuiltHost_SendsTheInformationDriftVerdictTrace_AndKeepsOtherInformationOut()
    {
        var channel = new KeepingChannel();
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.Configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=http://127.0.0.1:9/";
        builder.Services.AddFunctionsApp();
        builder.Services.AddSingleton<ITelemetryChannel>(channel);
        using var host = builder.Build();

        host.Services.GetRequiredService<IVerdictMetric>().Record(drift: true, "20261130T120000Z-abc");
        host.Services.GetRequiredService<IVerdictMetric>().Record(drift: false, "20261130T120000Z-abc");
        var logs = host.Services.GetRequiredService<ILoggerFactory>();
        logs.CreateLogger("Azure.Core").LogInformation("request sent");
        logs.CreateLogger<ScoringService>().LogInformation("Scored {Blob}", "a.jpg");
        logs.CreateLogger<ScoringService>().LogWarning("Could not score {Blob}", "b.jpg");
        host.Services.GetRequiredService<TelemetryClient>().Flush();

        var traces = channel.Items.OfType<TraceTelemetry>().ToList();
        var verdicts = traces.Where(t => t.Message.StartsWith("DriftVerdict ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, verdicts.Count);
        // What the alert query reads: customDimensions.DriftVerdict (0/1) and referenceVersion, at severity Information.
        Assert.Equal(["1", "0"], verdicts.Select(v => v.Properties["DriftVerdict"]));
        Assert.All(verdicts, v => Assert.Equal("20261130T120000Z-abc", v.Properties["referenceVersion"]));
        Assert.All(verdicts, v => Assert.Equal(SeverityLevel.Information, v.SeverityLevel));
        Assert.Equal("DriftVerdict 1 referenceVersion=20261130T120000Z-abc", verdicts[0].Message);
        // Other Information logs stay out (cost); warnings still go.
        Assert.DoesNotContain(traces, t => t.Message is "request sent" or "Scored a.jpg");
        Assert.Contains(traces, t => t.Message == "Could not score b.jpg" && t.SeverityLevel == SeverityLevel.Warning);
    }

    [Theory]
    [InlineData("Authorization=AAD", "")]
    [InlineData("Authorization=AAD;ClientId=1234-abcd", "1234-abcd")]
    [InlineData(" authorization = aad ; clientid = x ", "x")]
    [InlineData("", null)]
    [InlineData(null, null)]
    [InlineData("Authorization=Key", null)]
    [InlineData("Authorization=AAD;ClientId=a;ClientId=b", "b")]
    public void EntraAuthentication_ReadsTheHostsAuthenticationString(string? value, string? clientId) =>
        Assert.Equal(clientId, FunctionsAppServices.EntraAuthentication(value));

    private sealed class KeepingChannel : ITelemetryChannel
    {
        public ConcurrentQueue<ITelemetry> Items { get; } = new();
        public bool? DeveloperMode { get; set; }
        public string? EndpointAddress { get; set; }
        public void Send(ITelemetry item) => Items.Enqueue(item);
        public void Flush() { }
        public void Dispose() { }
    }
}
