using System.Text.Json;
using Azure.Core.Serialization;
using Azure.Identity;
using FunctionsDrift.Storage;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.ApplicationInsights;

namespace FunctionsDrift.Functions;

/// <summary>The Functions app's services, serializer and telemetry: what Program.cs registers, and what the tests build.</summary>
public static class FunctionsAppServices
{
    /// <summary>Blobs one instance scores at once: host.json's <c>extensions.blobs.maxDegreeOfParallelism</c> (a test keeps them equal).</summary>
    public const int BlobsAtOnce = 2;

    public static IServiceCollection AddFunctionsApp(this IServiceCollection services)
    {
        services.AddApplicationInsightsTelemetryWorkerService().ConfigureFunctionsApplicationInsights();
        // The worker's Application Insights logger provider keeps only Warning and above (a default rule of the SDK), and the
        // host does not forward the worker's logs when the worker logs to Application Insights itself. The drift-rate alert
        // counts the Information-level DriftVerdict trace, so exactly that category is let through.
        services.AddLogging(b => b.AddFilter<ApplicationInsightsLoggerProvider>(typeof(LoggedVerdictMetric).FullName, LogLevel.Information));
        // The deployed component has local (key) auth off: the worker's SDK must send with an Entra ID token, as the host
        // does from the same APPLICATIONINSIGHTS_AUTHENTICATION_STRING ("Authorization=AAD[;ClientId=...]").
        services.AddOptions<TelemetryConfiguration>().Configure<IConfiguration>((telemetry, config) =>
        {
            if (EntraAuthentication(config["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]) is { } clientId)
            {
                telemetry.SetAzureTokenCredential(clientId.Length == 0 ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
                    : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId)));
            }
        });
        // camelCase JSON as the HTTP API documents; the worker's default serializer keeps the C# property names.
        services.Configure<WorkerOptions>(o => o.Serializer = new JsonObjectSerializer(new JsonSerializerOptions(JsonSerializerDefaults.Web)));
        services.AddDrift(imagesAtOnce: BlobsAtOnce);
        services.AddSingleton<IVerdictMetric, LoggedVerdictMetric>();
        return services;
    }

    /// <summary>
    /// For <c>Authorization=AAD</c> the managed identity's client id ("" = system-assigned); null when the string does not
    /// ask for Entra ID.
    /// </summary>
    public static string? EntraAuthentication(string? authenticationString)
    {
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in (authenticationString ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.Split('=', 2) is [var key, var value])
            {
                parts[key.Trim()] = value.Trim(); // a repeated key: the last one wins, never a start-up failure
            }
        }
        return parts.TryGetValue("Authorization", out var auth) && auth.Equals("AAD", StringComparison.OrdinalIgnoreCase)
            ? parts.GetValueOrDefault("ClientId", "") : null;
    }
}
