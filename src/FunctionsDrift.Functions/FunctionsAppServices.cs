using System.Text.Json;
using Azure.Core.Serialization;
using FunctionsDrift.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsDrift.Functions;

/// <summary>The Functions app's services and serializer: what Program.cs registers, and what the tests build.</summary>
public static class FunctionsAppServices
{
    public static IServiceCollection AddFunctionsApp(this IServiceCollection services)
    {
        services.AddApplicationInsightsTelemetryWorkerService().ConfigureFunctionsApplicationInsights();
        // camelCase JSON as the HTTP API documents; the worker's default serializer keeps the C# property names.
        services.Configure<WorkerOptions>(o => o.Serializer = new JsonObjectSerializer(new JsonSerializerOptions(JsonSerializerDefaults.Web)));
        services.AddDrift(intraOpThreads: 0);
        services.AddSingleton<IVerdictMetric, LoggedVerdictMetric>();
        return services;
    }
}
