using FunctionsDrift.Functions;
using FunctionsDrift.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.Services.AddApplicationInsightsTelemetryWorkerService().ConfigureFunctionsApplicationInsights();
builder.Services.AddDrift(intraOpThreads: 0);
builder.Services.AddSingleton<IVerdictMetric, LoggedVerdictMetric>();
builder.Build().Run();
