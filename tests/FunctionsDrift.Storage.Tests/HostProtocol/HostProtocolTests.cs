using System.Text.Json;
using System.Text.RegularExpressions;
using FunctionsDrift.Storage.Tests.HostProtocol.Rpc;
using Google.Protobuf;
using Microsoft.Extensions.Configuration;

namespace FunctionsDrift.Storage.Tests.HostProtocol;

/// <summary>
/// The built Functions app started as the Functions host starts it, against Azurite: the test plays the host over gRPC
/// (<see cref="FunctionsHostHarness"/>) through init, the worker's own metadata index, function loads and invocations.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class HostProtocolTests(AzuriteFixture azurite, EngineFixture engine)
{
    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan Call = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Worker_UnderTheHostProtocol_IndexesLoadsAndRunsEveryFunction()
    {
        var env = new TestEnv(azurite, engine, "hp");
        await env.InitAsync();
        await env.UploadReferenceAsync(24);
        const string blobName = "cam1/frame-0001.jpg";
        await env.Images.GetBlobClient(blobName).UploadAsync(BinaryData.FromBytes(TestImages.Scene(5001)), overwrite: true);

        var workerDir = WorkerDirectory();
        // What the host puts in the worker's environment: the runtime, the app directory and every app setting — here the
        // developer's local.settings.example.json with this test's Azurite and names.
        var appSettings = LocalSettingsExample();
        appSettings["AzureWebJobsStorage"] = env.Connection;
        appSettings["DriftStorage"] = env.Connection;
        foreach (var (key, value) in env.SettingsDictionary())
        {
            appSettings[key] = value!;
        }
        var environment = new Dictionary<string, string>(appSettings)
        {
            ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
            ["FUNCTIONS_APPLICATION_DIRECTORY"] = workerDir,
            ["FUNCTIONS_WORKER_DIRECTORY"] = workerDir,
            ["AzureWebJobsScriptRoot"] = workerDir,
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development",
        };

        await using var host = new FunctionsHostHarness();
        var start = await host.StartAsync(workerDir, "FunctionsDrift.Functions.dll", environment, Startup);
        Assert.Equal(host.WorkerId, start.WorkerId);

        // WorkerInitRequest: the worker answers with its capabilities.
        var init = (await host.RequestAsync(new StreamingMessage
        {
            RequestId = "init",
            WorkerInitRequest = new WorkerInitRequest { HostVersion = "4.1000.0", WorkerDirectory = workerDir, FunctionAppDirectory = workerDir },
        }, m => m.ContentCase == StreamingMessage.ContentOneofCase.WorkerInitResponse, Startup)).WorkerInitResponse;
        AssertSuccess(init.Result, "WorkerInitResponse", host);
        // What the host adapts to: HTTP bodies only, typed collections, and (WorkerApplicationInsightsLoggingEnabled) no
        // forwarding of the worker's logs to Application Insights: the worker's own logger provider must send the traces.
        foreach (var capability in new[] { "RpcHttpBodyOnly", "RpcHttpTriggerMetadataRemoved", "TypedDataCollection", "RawHttpBodyBytes",
                     "HandlesWorkerTerminateMessage", "WorkerApplicationInsightsLoggingEnabled" })
        {
            Assert.True(init.Capabilities.TryGetValue(capability, out var value) && value.Equals("true", StringComparison.OrdinalIgnoreCase),
                $"capability {capability} missing; the worker sent: {string.Join(", ", init.Capabilities.Select(c => $"{c.Key}={c.Value}"))}");
        }
        Assert.Equal(".NET", init.WorkerMetadata.RuntimeName);

        // FunctionsMetadataRequest: the worker's own index of the functions.
        var index = (await host.RequestAsync(new StreamingMessage
        {
            RequestId = "metadata",
            FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = workerDir },
        }, m => m.ContentCase == StreamingMessage.ContentOneofCase.FunctionMetadataResponse, Startup)).FunctionMetadataResponse;
        AssertSuccess(index.Result, "FunctionMetadataResponse", host);
        Assert.False(index.UseDefaultMetadataIndexing);
        var functions = index.FunctionMetadataResults.ToDictionary(f => f.Name);
        Assert.Equal(["Health", "ReconcileResults", "Refit", "RefitReference", "Results", "ScoreImage", "Summary"], functions.Keys.Order());

        var score = Trigger(functions["ScoreImage"]);
        Assert.Equal("blobTrigger", Str(score, "type"));
        Assert.Equal("%ImagesContainer%/{name}", Str(score, "path"));
        Assert.Equal("EventGrid", Str(score, "source"));
        Assert.Equal("DriftStorage", Str(score, "connection"));
        // BlobClient is an SDK type: the host must hand over ModelBindingData, which it does only for deferred bindings.
        Assert.Equal("True", score.GetProperty("properties").GetProperty("supportsDeferredBinding").GetString());
        var timer = Trigger(functions["RefitReference"]);
        Assert.Equal("timerTrigger", Str(timer, "type"));
        Assert.Equal("%RefitSchedule%", Str(timer, "schedule"));
        Assert.Equal("0 */5 * * * *", Str(Trigger(functions["ReconcileResults"]), "schedule"));
        foreach (var (name, route, method, auth) in new[] { ("Results", "results", "get", "Function"), ("Summary", "summary", "get", "Function"), ("Refit", "refit", "post", "Function"), ("Health", "health", "get", "Anonymous") })
        {
            var http = Trigger(functions[name]);
            Assert.Equal("httpTrigger", Str(http, "type"));
            Assert.Equal(route, Str(http, "route"));
            Assert.Equal([method], http.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
            Assert.Equal(auth, Str(http, "authLevel"));
        }

        // The host resolves %Setting% expressions from the app settings and refuses to start a function whose setting is missing.
        var imagesContainer = ResolveSettings(Str(score, "path"), appSettings).Split('/')[0];
        Assert.Equal(env.Settings.ImagesContainer, imagesContainer);
        var schedule = ResolveSettings(Str(timer, "schedule"), appSettings);
        Assert.Equal(6, schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);

        // FunctionLoadRequest for each function, with the bindings as the host passes them.
        foreach (var metadata in functions.Values)
        {
            var load = (await host.RequestAsync(new StreamingMessage
            {
                RequestId = $"load-{metadata.Name}",
                FunctionLoadRequest = new FunctionLoadRequest { FunctionId = metadata.FunctionId, Metadata = ForLoad(metadata, workerDir) },
            }, m => m.ContentCase == StreamingMessage.ContentOneofCase.FunctionLoadResponse && m.FunctionLoadResponse.FunctionId == metadata.FunctionId, Startup)).FunctionLoadResponse;
            AssertSuccess(load.Result, $"FunctionLoadResponse {metadata.Name}", host);
        }

        // The timer: publishes the first reference model from the 24 reference frames.
        var refit = await InvokeAsync(host, functions["RefitReference"], new ParameterBinding
        {
            Name = Str(timer, "name"),
            Data = new TypedData { Json = """{"Schedule":{"AdjustForDST":true},"ScheduleStatus":null,"IsPastDue":false}""" },
        });
        AssertSuccess(refit.Result, "RefitReference", host);
        var model = await env.Models.GetCurrentAsync(default);
        Assert.True(model is not null, $"RefitReference succeeded but published nothing in the configured models container '{env.Settings.ModelsContainer}' (is the ModelsContainer setting read?). Worker logs:\n"
            + string.Join("\n", host.Logs.Select(l => $"{l.Level} {l.Category}: {l.Message}").TakeLast(20)));

        // ScoreImage: the blob as the host's blob extension delivers it to a BlobClient parameter.
        var content = JsonSerializer.SerializeToUtf8Bytes(new { Connection = Str(score, "connection"), ContainerName = imagesContainer, BlobName = blobName });
        var scored = await InvokeAsync(host, functions["ScoreImage"], new ParameterBinding
        {
            Name = Str(score, "name"),
            Data = new TypedData
            {
                ModelBindingData = new ModelBindingData { Version = "1.0", Source = "AzureStorageBlobs", ContentType = "application/json", Content = ByteString.CopyFrom(content) },
            },
        }, ("name", new TypedData { String = blobName }), ("BlobTrigger", new TypedData { String = $"{imagesContainer}/{blobName}" }));
        AssertSuccess(scored.Result, "ScoreImage", host);
        var rows = await env.AllRowsAsync();
        var row = Assert.Single(rows);
        Assert.Equal(blobName, row.BlobName);
        Assert.Equal(ResultEntity.StatusOk, row.Status);
        Assert.Equal(model.Version, row.ReferenceVersion);
        // The verdict trace reaches the host at Information, with its template's properties.
        Assert.Contains(host.Logs, l => l.Level == RpcLog.Types.Level.Information && l.Message.StartsWith("DriftVerdict ", StringComparison.Ordinal)
            && l.Message.Contains($"referenceVersion={model.Version}", StringComparison.Ordinal));

        // GET /api/results and /api/summary as RpcHttp.
        using (var results = await HttpAsync(host, functions["Results"], "/api/results", ("prefix", "cam1/")))
        {
            var item = Assert.Single(results.RootElement.GetProperty("items").EnumerateArray());
            Assert.Equal(blobName, item.GetProperty("image").GetString());
            Assert.Equal("ok", item.GetProperty("status").GetString());
            Assert.Equal(row.Drift, item.GetProperty("drift").GetBoolean());
            Assert.Equal(model.Version, item.GetProperty("referenceVersion").GetString());
            Assert.Equal(JsonValueKind.Null, results.RootElement.GetProperty("continuation").ValueKind);
        }
        using (var summary = await HttpAsync(host, functions["Summary"], "/api/summary"))
        {
            var period = Assert.Single(summary.RootElement.EnumerateArray());
            Assert.Equal(1, period.GetProperty("scored").GetInt32());
            Assert.Equal(row.Drift ? 1 : 0, period.GetProperty("drift").GetInt32());
            Assert.Equal(0, period.GetProperty("errors").GetInt32());
            Assert.Equal(row.Drift ? 1.0 : 0.0, period.GetProperty("driftRate").GetDouble());
            Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}", period.GetProperty("period").GetString()!);
        }
    }

    [Fact]
    public void LocalSettingsExample_NamesEverySettingTheAppReads_AndHostJsonReachesTheBuild()
    {
        var values = LocalSettingsExample();
        var expected = typeof(DriftSettings).GetProperties().Select(p => p.Name == nameof(DriftSettings.ConnectionName) ? "DriftConnectionName" : p.Name)
            .Concat(["FUNCTIONS_WORKER_RUNTIME", "AzureWebJobsStorage", new DriftSettings().ConnectionName]);
        Assert.All(expected, name => Assert.True(values.ContainsKey(name), $"local.settings.example.json has no '{name}'"));
        Assert.Equal("dotnet-isolated", values["FUNCTIONS_WORKER_RUNTIME"]);
        // Its values are the app's defaults: the example changes nothing until the developer edits it.
        Assert.Equal(new DriftSettings(), DriftSettings.FromConfiguration(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(kv => KeyValuePair.Create(kv.Key, (string?)kv.Value))).Build()));
        Assert.Contains("local.settings.json", File.ReadAllLines(Path.Combine(AzuriteFixture.RepoRoot(), ".gitignore")));
        Assert.Equal(File.ReadAllText(Path.Combine(AzuriteFixture.RepoRoot(), "host.json")), File.ReadAllText(Path.Combine(WorkerDirectory(), "host.json")));
    }

    [Fact]
    public void HostJson_BlobConcurrency_IsWhatTheThreadRuleAssumes()
    {
        // host.json lets this many blobs score at once per instance; the app sizes ONNX threads per image from it.
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(AzuriteFixture.RepoRoot(), "host.json")));
        Assert.Equal(FunctionsDrift.Functions.FunctionsAppServices.BlobsAtOnce,
            host.RootElement.GetProperty("extensions").GetProperty("blobs").GetProperty("maxDegreeOfParallelism").GetInt32());
    }

    /// <summary>The Values of src/FunctionsDrift.Functions/local.settings.example.json.</summary>
    private static Dictionary<string, string> LocalSettingsExample()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AzuriteFixture.RepoRoot(), "src", "FunctionsDrift.Functions", "local.settings.example.json")));
        return doc.RootElement.GetProperty("Values").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
    }

    /// <summary>The Functions app's build output next to this test's (same configuration).</summary>
    private static string WorkerDirectory()
    {
        var parts = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar).Split(Path.DirectorySeparatorChar);
        var configuration = parts[^2];
        var dir = Path.Combine(AzuriteFixture.RepoRoot(), "src", "FunctionsDrift.Functions", "bin", configuration, "net10.0");
        Assert.True(File.Exists(Path.Combine(dir, "FunctionsDrift.Functions.dll")), $"the Functions app is not built at {dir}");
        return dir;
    }

    private static JsonElement Trigger(RpcFunctionMetadata f) => f.RawBindings
        .Select(b => JsonDocument.Parse(b).RootElement)
        .Single(b => Str(b, "type").EndsWith("Trigger", StringComparison.Ordinal));

    private static string Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.GetString()! : throw new Xunit.Sdk.XunitException($"binding has no '{name}': {e}");

    /// <summary>Resolves <c>%Name%</c> from the app settings as the host does; a missing setting is an error.</summary>
    private static string ResolveSettings(string expression, IReadOnlyDictionary<string, string> settings) =>
        Regex.Replace(expression, "%([^%]+)%", m => settings.TryGetValue(m.Groups[1].Value, out var v)
            ? v : throw new Xunit.Sdk.XunitException($"'{expression}' names the app setting '{m.Groups[1].Value}', which the app's settings do not have"));

    /// <summary>The function's metadata as the host sends it back in a load request: bindings parsed from the raw JSON.</summary>
    private static RpcFunctionMetadata ForLoad(RpcFunctionMetadata indexed, string directory)
    {
        var metadata = indexed.Clone();
        metadata.Directory = directory;
        foreach (var raw in indexed.RawBindings)
        {
            var b = JsonDocument.Parse(raw).RootElement;
            var info = new BindingInfo
            {
                Type = Str(b, "type"),
                Direction = Str(b, "direction").ToLowerInvariant() switch { "in" => BindingInfo.Types.Direction.In, "out" => BindingInfo.Types.Direction.Out, _ => BindingInfo.Types.Direction.Inout },
                DataType = b.TryGetProperty("dataType", out var dt) ? dt.GetString()!.ToLowerInvariant() switch
                {
                    "string" => BindingInfo.Types.DataType.String,
                    "binary" => BindingInfo.Types.DataType.Binary,
                    "stream" => BindingInfo.Types.DataType.Stream,
                    _ => BindingInfo.Types.DataType.Undefined,
                } : BindingInfo.Types.DataType.Undefined,
            };
            if (b.TryGetProperty("properties", out var props))
            {
                foreach (var p in props.EnumerateObject())
                {
                    info.Properties[p.Name] = p.Value.ToString();
                }
            }
            metadata.Bindings[Str(b, "name")] = info;
        }
        return metadata;
    }

    private static async Task<InvocationResponse> InvokeAsync(FunctionsHostHarness host, RpcFunctionMetadata function, ParameterBinding input,
        params (string Key, TypedData Value)[] triggerMetadata)
    {
        // The host always sends a W3C trace context; the worker's invocation needs one.
        var request = new InvocationRequest
        {
            InvocationId = Guid.NewGuid().ToString(),
            FunctionId = function.FunctionId,
            InputData = { input },
            TraceContext = new RpcTraceContext { TraceParent = $"00-{Guid.NewGuid():N}-{Guid.NewGuid():N}"[..52] + "-01" },
        };
        foreach (var (key, value) in triggerMetadata)
        {
            request.TriggerMetadata[key] = value;
        }
        var answer = await host.RequestAsync(new StreamingMessage { RequestId = request.InvocationId, InvocationRequest = request },
            m => m.ContentCase == StreamingMessage.ContentOneofCase.InvocationResponse && m.InvocationResponse.InvocationId == request.InvocationId, Call);
        return answer.InvocationResponse;
    }

    /// <summary>A GET through the HTTP trigger as RpcHttp; checks status 200 and returns the JSON body.</summary>
    private static async Task<JsonDocument> HttpAsync(FunctionsHostHarness host, RpcFunctionMetadata function, string path, params (string Key, string Value)[] query)
    {
        var url = "http://localhost:7071" + path + (query.Length == 0 ? "" : "?" + string.Join("&", query.Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value)}")));
        var http = new RpcHttp { Method = "GET", Url = url, Headers = { ["host"] = "localhost:7071", ["accept"] = "application/json" } };
        foreach (var (key, value) in query)
        {
            http.Query[key] = value;
        }
        var trigger = Trigger(function);
        var response = await InvokeAsync(host, function, new ParameterBinding { Name = Str(trigger, "name"), Data = new TypedData { Http = http } });
        AssertSuccess(response.Result, $"{function.Name} {path}", host);
        var returned = response.ReturnValue?.Http ?? throw new Xunit.Sdk.XunitException($"{function.Name} returned no HTTP response");
        Assert.Equal("200", returned.StatusCode);
        var body = returned.Body.DataCase switch
        {
            TypedData.DataOneofCase.Bytes => returned.Body.Bytes.ToStringUtf8(),
            TypedData.DataOneofCase.String => returned.Body.String,
            TypedData.DataOneofCase.Json => returned.Body.Json,
            var other => throw new Xunit.Sdk.XunitException($"{function.Name} body came as {other}"),
        };
        return JsonDocument.Parse(body);
    }

    private static void AssertSuccess(StatusResult result, string what, FunctionsHostHarness host)
    {
        if (result?.Status != StatusResult.Types.Status.Success)
        {
            throw new Xunit.Sdk.XunitException($"{what}: {result?.Status} {result?.Exception?.Message}\n{result?.Exception?.StackTrace}\nWorker output:\n{host.WorkerOutput[^Math.Min(host.WorkerOutput.Length, 4000)..]}");
        }
    }
}
