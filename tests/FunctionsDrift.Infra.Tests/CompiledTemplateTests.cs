using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace FunctionsDrift.Infra.Tests;

/// <summary>Checks on the ARM JSON that infra/main.bicep compiles to, with default parameters.</summary>
public sealed partial class CompiledTemplateTests(CompiledTemplateFixture fixture) : IClassFixture<CompiledTemplateFixture>
{
    // Built-in role definition ids (same for every tenant).
    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string StorageBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    private const string StorageBlobDataReader = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
    private const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";

    private ArmResource Single(string type) => Assert.Single(fixture.Main.AllResources(), r => r.Type == type);

    private string Eval(ArmResource resource, string path)
    {
        JsonNode? node = resource.Json;
        foreach (var part in path.Split('.'))
        {
            node = node?[part];
        }

        Assert.True(node is not null, $"{resource}: {path} missing");
        return resource.Template.EvaluateToString(node);
    }

    private Dictionary<string, JsonNode?> AppSettings()
    {
        var site = Single("Microsoft.Web/sites");
        var settings = site.Properties!["siteConfig"]!["appSettings"]!.AsArray();
        return settings.ToDictionary(s => s!["name"]!.GetValue<string>(), s => s!["value"], StringComparer.Ordinal);
    }

    [Fact]
    public void Template_NoAccountKeysOrListKeysAnywhere()
    {
        Assert.DoesNotContain("AccountKey", fixture.Json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("listKeys(", fixture.Json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("listAccountSas(", fixture.Json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("InstrumentationKey", fixture.Json, StringComparison.Ordinal);
    }

    [Fact]
    public void AppSettings_NoKeyMaterialInNamesOrValues()
    {
        foreach (var (name, value) in AppSettings())
        {
            var text = value?.ToJsonString() ?? "";
            foreach (var forbidden in new[] { "AccountKey", "listKeys(", "SharedAccessSignature", "DefaultEndpointsProtocol" })
            {
                Assert.DoesNotContain(forbidden, name, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(forbidden, text, StringComparison.OrdinalIgnoreCase);
            }
        }
    }

    [Theory]
    [InlineData("AzureWebJobsStorage")]
    [InlineData("DriftStorage")]
    public void AppSettings_IdentityBasedStorageConnection(string connection)
    {
        var settings = AppSettings();
        foreach (var service in new[] { "blob", "queue", "table" })
        {
            var value = Assert.Contains($"{connection}__{service}ServiceUri", settings)!.GetValue<string>();
            Assert.Contains($".primaryEndpoints.{service}", value, StringComparison.Ordinal);
        }

        Assert.Equal("managedidentity", Assert.Contains($"{connection}__credential", settings)!.GetValue<string>());
        Assert.DoesNotContain(connection, settings.Keys);
        Assert.DoesNotContain($"{connection}__accountName", settings.Keys);
    }

    [Fact]
    public void AppSettings_AppDefaultsAndMonitoring()
    {
        var site = Single("Microsoft.Web/sites");
        var settings = AppSettings();
        var expected = new Dictionary<string, string>
        {
            ["ImagesContainer"] = "images",
            ["ReferenceContainer"] = "reference",
            ["ModelsContainer"] = "models",
            ["ResultsTable"] = "driftresults",
            ["RefitSchedule"] = "0 0 3 * * *",
            ["TargetFalseAlarmRate"] = "0.01",
            ["KeepModelVersions"] = "10",
            ["RefitWindowDays"] = "0",
            ["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] = "Authorization=AAD",
        };
        foreach (var (name, value) in expected)
        {
            Assert.Equal(value, site.Template.EvaluateToString(Assert.Contains(name, settings)));
        }

        Assert.Contains("ConnectionString", settings["APPLICATIONINSIGHTS_CONNECTION_STRING"]!.GetValue<string>(), StringComparison.Ordinal);
        // Not allowed on Flex Consumption (the runtime is in functionAppConfig).
        Assert.DoesNotContain("FUNCTIONS_WORKER_RUNTIME", settings.Keys);
        Assert.DoesNotContain("FUNCTIONS_EXTENSION_VERSION", settings.Keys);
    }

    [Fact]
    public void FunctionApp_FlexConsumptionDotnetIsolated10()
    {
        var plan = Single("Microsoft.Web/serverfarms");
        Assert.Equal("FC1", Eval(plan, "sku.name"));
        Assert.Equal("FlexConsumption", Eval(plan, "sku.tier"));
        Assert.Equal("True", Eval(plan, "properties.reserved"));

        var site = Single("Microsoft.Web/sites");
        Assert.Equal("functionapp,linux", Eval(site, "kind"));
        Assert.Equal("SystemAssigned", Eval(site, "identity.type"));
        Assert.Equal("True", Eval(site, "properties.httpsOnly"));
        Assert.Equal("dotnet-isolated", Eval(site, "properties.functionAppConfig.runtime.name"));
        Assert.Equal("10.0", Eval(site, "properties.functionAppConfig.runtime.version"));
        Assert.Equal("4096", Eval(site, "properties.functionAppConfig.scaleAndConcurrency.instanceMemoryMB"));
        Assert.Equal("40", Eval(site, "properties.functionAppConfig.scaleAndConcurrency.maximumInstanceCount"));
        Assert.Equal("blobContainer", Eval(site, "properties.functionAppConfig.deployment.storage.type"));
        Assert.Equal("SystemAssignedIdentity", Eval(site, "properties.functionAppConfig.deployment.storage.authentication.type"));
        Assert.Contains("'azd-service-name', parameters('serviceName')", site.Json["tags"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("api", site.Template.Parameter("serviceName")!.GetValue<string>());
    }

    [Fact]
    public void FunctionApp_DeploymentContainerIsCreated()
    {
        var site = Single("Microsoft.Web/sites");
        var deploymentValue = site.Properties!["functionAppConfig"]!["deployment"]!["storage"]!["value"]!.GetValue<string>();
        Assert.Contains("primaryEndpoints.blob", deploymentValue, StringComparison.Ordinal);
        Assert.Contains("parameters('deploymentContainerName')", deploymentValue, StringComparison.Ordinal);

        // The container name depends on uniqueString(), so compare expressions: the function module
        // and the storage module get the same variable, and it is app-package-<app>-<token>.
        const string variable = "[variables('deploymentContainerName')]";
        Assert.Equal(variable, ModuleParameter("function", "deploymentContainerName")!.GetValue<string>());
        Assert.Contains(variable, ModuleParameter("storage", "containerNames")!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.StartsWith("[format('app-package-{0}-{1}', take(", fixture.Main.Json["variables"]!["deploymentContainerName"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private JsonNode? ModuleParameter(string module, string parameter)
    {
        var deployment = fixture.Main.AllResources().Single(r =>
            r.Type == "Microsoft.Resources/deployments" && r.Json["name"]!.GetValue<string>() == module);
        return deployment.Properties!["parameters"]![parameter]!["value"];
    }

    [Fact]
    public void Storage_SecureDefaults()
    {
        var storage = Single("Microsoft.Storage/storageAccounts");
        Assert.Equal("StorageV2", Eval(storage, "kind"));
        Assert.Equal("TLS1_2", Eval(storage, "properties.minimumTlsVersion"));
        Assert.Equal("False", Eval(storage, "properties.allowSharedKeyAccess"));
        Assert.Equal("False", Eval(storage, "properties.allowBlobPublicAccess"));
        Assert.Equal("True", Eval(storage, "properties.supportsHttpsTrafficOnly"));
        // st + uniqueString() (13 characters) = 15, within the 24-character limit.
        Assert.Equal("st", fixture.Main.Variable("abbrs")!["storageAccount"]!.GetValue<string>());
        Assert.Contains(
            "format('{0}{1}', variables('abbrs').storageAccount, variables('resourceToken'))",
            fixture.Main.Json["variables"]!["storageName"]!.GetValue<string>(),
            StringComparison.Ordinal);
    }

    [Fact]
    public void Storage_ContainersTablesQueues()
    {
        Assert.Equal(["images", "reference", "models"], StorageCollection("containerNames").Take(3));
        Assert.Equal(["driftresults"], StorageCollection("tableNames"));
        Assert.Equal(["blob-created", "blob-created-poison", "webjobs-blobtrigger-poison"], StorageCollection("queueNames"));
        Assert.Equal(["azure-webjobs-hosts", "azure-webjobs-secrets", "eventgrid-deadletter"], StorageCollection("containerNames").Skip(4));
        foreach (var type in new[] { "blobServices/containers", "tableServices/tables", "queueServices/queues" })
        {
            var resource = Single($"Microsoft.Storage/storageAccounts/{type}");
            Assert.NotNull(resource.Json["copy"]);
        }
    }

    private List<string> StorageCollection(string parameter) =>
        fixture.Main.Module("storage").Parameter(parameter)!.AsArray().Select(n => n!.GetValue<string>()).ToList();

    [Fact]
    public void EventGrid_SystemTopicOnStorage()
    {
        var topic = Single("Microsoft.EventGrid/systemTopics");
        Assert.Equal("Microsoft.Storage.StorageAccounts", Eval(topic, "properties.topicType"));
        Assert.Contains("Microsoft.Storage/storageAccounts", topic.Properties!["source"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void EventGrid_SubscriptionFiltersBlobCreatedInImages()
    {
        var subscription = Single("Microsoft.EventGrid/systemTopics/eventSubscriptions");
        var filter = subscription.Template.Evaluate(subscription.Properties!["filter"])!;
        Assert.Equal(["Microsoft.Storage.BlobCreated"], filter["includedEventTypes"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("/blobServices/default/containers/images/", filter["subjectBeginsWith"]!.GetValue<string>());
    }

    [Fact]
    public void EventGrid_SubscriptionWebhookTargetsScoreImageBlobExtension()
    {
        var subscription = Single("Microsoft.EventGrid/systemTopics/eventSubscriptions");
        Assert.Equal("WebHook", Eval(subscription, "properties.destination.endpointType"));
        var url = subscription.Properties!["destination"]!["properties"]!["endpointUrl"]!.GetValue<string>();
        Assert.Contains("https://{0}/runtime/webhooks/blobs?functionName=Host.Functions.{1}&code={2}", url, StringComparison.Ordinal);
        Assert.Contains("parameters('blobsExtensionKey')", url, StringComparison.Ordinal);
        Assert.Contains("defaultHostName", url, StringComparison.Ordinal);
        Assert.Equal("ScoreImage", subscription.Template.Parameter("functionName")!.GetValue<string>());
    }

    [Fact]
    public void EventGrid_SubscriptionOnlyWithBlobsExtensionKey()
    {
        var subscription = Single("Microsoft.EventGrid/systemTopics/eventSubscriptions");
        Assert.Equal("[not(empty(parameters('blobsExtensionKey')))]", subscription.Json["condition"]!.GetValue<string>());
        // Default: first pass without the key, so the subscription is skipped.
        Assert.Equal("False", subscription.Template.EvaluateToString(subscription.Json["condition"]));

        var mainKey = fixture.Main.Json["parameters"]!["blobsExtensionKey"]!;
        Assert.Equal("securestring", mainKey["type"]!.GetValue<string>());
        Assert.Equal("", mainKey["defaultValue"]!.GetValue<string>());
    }

    [Fact]
    public void EventGrid_SubscriptionRetriesThenDeadLettersWithTheTopicsIdentity()
    {
        var subscription = Single("Microsoft.EventGrid/systemTopics/eventSubscriptions");
        Assert.Equal("30", Eval(subscription, "properties.retryPolicy.maxDeliveryAttempts"));
        Assert.Equal("1440", Eval(subscription, "properties.retryPolicy.eventTimeToLiveInMinutes"));
        Assert.Equal("SystemAssigned", Eval(subscription, "properties.deadLetterWithResourceIdentity.identity.type"));
        Assert.Equal("StorageBlob", Eval(subscription, "properties.deadLetterWithResourceIdentity.deadLetterDestination.endpointType"));
        Assert.Equal("eventgrid-deadletter", Eval(subscription, "properties.deadLetterWithResourceIdentity.deadLetterDestination.properties.blobContainerName"));
        Assert.Equal("SystemAssigned", Eval(Single("Microsoft.EventGrid/systemTopics"), "identity.type"));

        // The topic may write the dead-letter container and nothing else.
        var eventgrid = fixture.Main.Module("eventgrid");
        var writer = Assert.Single(eventgrid.AllResources(), r => r.Type == "Microsoft.Authorization/roleAssignments");
        Assert.Contains("blobServices/containers", writer.Json["scope"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("variables('storageBlobDataContributorRoleId')", writer.Properties!["roleDefinitionId"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(StorageBlobDataContributor, eventgrid.Variable("storageBlobDataContributorRoleId")!.GetValue<string>());

        var alert = Single("Microsoft.Insights/metricAlerts");
        var criterion = alert.Template.Evaluate(alert.Properties!["criteria"]!["allOf"]![0])!;
        Assert.Equal("DeadLetteredCount", criterion["metricName"]!.GetValue<string>());
        Assert.Equal("Microsoft.EventGrid/systemTopics", criterion["metricNamespace"]!.GetValue<string>());
        Assert.Equal("GreaterThan", criterion["operator"]!.GetValue<string>());
        Assert.Equal(0, criterion["threshold"]!.GetValue<int>());
    }

    [Fact]
    public void Monitoring_PoisonQueueWritesAreLoggedAndAlerted()
    {
        var diagnostics = Single("Microsoft.Insights/diagnosticSettings");
        Assert.Contains("queueServices", diagnostics.Json["scope"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("StorageWrite", diagnostics.Properties!["logs"]![0]!["category"]!.GetValue<string>());

        var alert = Assert.Single(fixture.Main.AllResources(), r => r.Type == "Microsoft.Insights/scheduledQueryRules" && r.Template.DeploymentName == "poison-alert");
        var criterion = alert.Template.Evaluate(alert.Properties!["criteria"]!["allOf"]![0])!;
        var query = criterion["query"]!.GetValue<string>();
        Assert.Contains("StorageQueueLogs", query, StringComparison.Ordinal);
        Assert.Contains("OperationName == \"PutMessage\"", query, StringComparison.Ordinal);
        Assert.Contains("ObjectKey contains \"/webjobs-blobtrigger-poison/\"", query, StringComparison.Ordinal);
        Assert.Equal("GreaterThan", criterion["operator"]!.GetValue<string>());
    }

    [Fact]
    public void Rbac_LeastPrivilegeRolesWithGuidNames()
    {
        var assignments = fixture.Main.AllResources().Where(r => r.Type == "Microsoft.Authorization/roleAssignments").ToList();
        Assert.NotEmpty(assignments);
        foreach (var assignment in assignments)
        {
            Assert.StartsWith("[guid(", assignment.Json["name"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        var rbac = fixture.Main.Module("rbac");
        // Blob roles one container each: read-only where the app only reads, write where it writes, Owner only on the
        // host's own containers.
        var containerRoles = rbac.Json["variables"]!["appContainerRoles"]!.AsArray()
            .Select(n => (n!["container"]!.GetValue<string>(), rbac.EvaluateToString(n["roleId"]))).ToList();
        Assert.Equal(
        [
            ("[parameters('imagesContainerName')]", StorageBlobDataReader), ("[parameters('referenceContainerName')]", StorageBlobDataReader),
            ("[parameters('modelsContainerName')]", StorageBlobDataContributor), ("[parameters('deploymentContainerName')]", StorageBlobDataContributor),
            ("azure-webjobs-hosts", StorageBlobDataOwner), ("azure-webjobs-secrets", StorageBlobDataOwner),
        ], containerRoles);
        Assert.Equal(StorageBlobDataReader, rbac.Variable("storageBlobDataReaderRoleId")!.GetValue<string>());
        Assert.Equal(StorageBlobDataOwner, rbac.Variable("storageBlobDataOwnerRoleId")!.GetValue<string>());
        // The app's assignment whose role expression names this variable: its scope.
        string Scope(string roleVariable) => rbac.AllResources().Single(r => r.Type == "Microsoft.Authorization/roleAssignments"
            && r.Properties!["principalId"]!.GetValue<string>().Contains("appPrincipalId", StringComparison.Ordinal)
            && r.Properties!["roleDefinitionId"]!.GetValue<string>().Contains(roleVariable, StringComparison.Ordinal)).Json["scope"]!.GetValue<string>();
        Assert.Contains("blobServices/containers", Scope("appContainerRoles"), StringComparison.Ordinal);
        Assert.Contains("tableServices/tables", Scope("storageTableDataContributorRoleId"), StringComparison.Ordinal);
        Assert.Contains("parameters('resultsTableName')", Scope("storageTableDataContributorRoleId"), StringComparison.Ordinal);
        // Queues stay account-wide (the host names its blob-trigger queues from its host id at run time).
        Assert.Equal("[resourceId('Microsoft.Storage/storageAccounts', parameters('storageAccountName'))]", Scope("storageQueueDataContributorRoleId"));
        var userRoles = rbac.Variable("userStorageRoles")!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        Assert.Equal([StorageBlobDataContributor, StorageQueueDataContributor, StorageTableDataContributor], userRoles);
        Assert.Equal(MonitoringMetricsPublisher, rbac.Variable("monitoringMetricsPublisherRoleId")!.GetValue<string>());

        var roleText = string.Join('\n', assignments.Select(a => a.Json.ToJsonString()));
        Assert.DoesNotContain("8e3af657-a8ff-443c-a75c-2fe8c4bcb635", rbac.Json.ToJsonString(), StringComparison.Ordinal); // Owner
        Assert.DoesNotContain("b24988ac-6180-42a0-ab88-20f7382dd24c", rbac.Json.ToJsonString(), StringComparison.Ordinal); // Contributor
        Assert.Contains("userPrincipalId", roleText, StringComparison.Ordinal);
    }

    [Fact]
    public void Monitoring_WorkspaceBasedAppInsightsWithDriftRateAlert()
    {
        var insights = Single("Microsoft.Insights/components");
        Assert.Contains("Microsoft.OperationalInsights/workspaces", insights.Properties!["WorkspaceResourceId"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("True", Eval(insights, "properties.DisableLocalAuth"));

        var alert = Assert.Single(fixture.Main.AllResources(), r => r.Type == "Microsoft.Insights/scheduledQueryRules" && r.Template.DeploymentName == "monitoring");
        var criterion = alert.Template.Evaluate(alert.Properties!["criteria"]!["allOf"]![0])!;
        var query = criterion["query"]!.GetValue<string>();
        // Exactly what LoggedVerdictMetric emits (FunctionsTelemetryTests checks the trace): no other source is counted.
        Assert.StartsWith("traces\n| where message startswith \"DriftVerdict \"", query.TrimStart(), StringComparison.Ordinal);
        Assert.Contains("toint(customDimensions[\"DriftVerdict\"])", query, StringComparison.Ordinal);
        Assert.Contains("summarize Drifted = sum(Verdict * itemCount), Scored = sum(itemCount)", query, StringComparison.Ordinal);
        Assert.Contains("DriftRate = todouble(Drifted) / Scored", query, StringComparison.Ordinal);
        Assert.DoesNotContain("customMetrics", query, StringComparison.Ordinal);
        Assert.Contains("Scored >= 20", query, StringComparison.Ordinal);
        Assert.Equal("DriftRate", criterion["metricMeasureColumn"]!.GetValue<string>());
        Assert.Equal("GreaterThan", criterion["operator"]!.GetValue<string>());
        Assert.Equal(0.2, criterion["threshold"]!.GetValue<double>());
        Assert.Equal("PT1H", Eval(alert, "properties.windowSize"));

        var actionGroup = Single("Microsoft.Insights/actionGroups");
        Assert.Equal("False", actionGroup.Template.EvaluateToString(actionGroup.Json["condition"]));
    }

    [Fact]
    public void Outputs_UpperSnakeCaseWithEndpoints()
    {
        var outputs = fixture.Main.Json["outputs"]!.AsObject();
        foreach (var (name, _) in outputs)
        {
            Assert.Matches(UpperSnake(), name);
        }

        foreach (var required in new[]
        {
            "AZURE_FUNCTION_APP_NAME", "AZURE_STORAGE_ACCOUNT_NAME", "AZURE_STORAGE_BLOB_ENDPOINT",
            "AZURE_STORAGE_TABLE_ENDPOINT", "AZURE_STORAGE_QUEUE_ENDPOINT", "AZURE_IMAGES_CONTAINER",
            "AZURE_RESULTS_TABLE", "AZURE_RESOURCE_GROUP", "AZURE_EVENTGRID_SYSTEM_TOPIC_NAME",
        })
        {
            Assert.True(outputs.ContainsKey(required), required);
        }

        Assert.Equal("images", fixture.Main.EvaluateToString(outputs["AZURE_IMAGES_CONTAINER"]!["value"]));
        Assert.Equal("driftresults", fixture.Main.EvaluateToString(outputs["AZURE_RESULTS_TABLE"]!["value"]));
    }

    [Fact]
    public void Naming_ResourceTokenFromSubscriptionGroupAndLocation()
    {
        var token = fixture.Main.Json["variables"]!["resourceToken"]!.GetValue<string>();
        Assert.Contains("uniqueString(subscription().id", token, StringComparison.Ordinal);
        Assert.Contains("Microsoft.Resources/resourceGroups", token, StringComparison.Ordinal);
        Assert.Contains("parameters('location')", token, StringComparison.Ordinal);
    }

    [Fact]
    public void Parameters_FileMatchesTemplate()
    {
        var declared = fixture.Main.Json["parameters"]!.AsObject().Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(BicepCli.InfraDir, "main.parameters.json")))!;
        var supplied = file["parameters"]!.AsObject();
        foreach (var (name, _) in supplied)
        {
            Assert.Contains(name, declared);
        }

        Assert.Equal("${AZURE_ENV_NAME}", supplied["environmentName"]!["value"]!.GetValue<string>());
        Assert.Equal("${AZURE_LOCATION}", supplied["location"]!["value"]!.GetValue<string>());
        Assert.Equal("${BLOBS_EXTENSION_KEY=}", supplied["blobsExtensionKey"]!["value"]!.GetValue<string>());
    }

    [Fact]
    public void AzureYaml_OneFunctionServiceAndPostdeployHook()
    {
        var yaml = File.ReadAllText(Path.Combine(BicepCli.RepoRoot, "azure.yaml"));
        Assert.Contains("  api:\n    project: ./src/FunctionsDrift.Functions\n    language: dotnet\n    host: function\n", yaml, StringComparison.Ordinal);
        Assert.Contains("postdeploy:", yaml, StringComparison.Ordinal);
        Assert.Contains("run: ./scripts/postdeploy.sh", yaml, StringComparison.Ordinal);

        var script = Path.Combine(BicepCli.RepoRoot, "scripts", "postdeploy.sh");
        Assert.True(File.Exists(script));
        if (!OperatingSystem.IsWindows())
        {
            Assert.True((File.GetUnixFileMode(script) & UnixFileMode.UserExecute) != 0, "postdeploy.sh must be executable");
        }

        var text = File.ReadAllText(script);
        Assert.Contains("systemKeys.blobs_extension", text, StringComparison.Ordinal);
    }

    [GeneratedRegex("^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")]
    private static partial Regex UpperSnake();
}
