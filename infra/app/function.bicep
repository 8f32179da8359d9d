// Flex Consumption plan and the function app (isolated worker, .NET 10) with a system-assigned
// identity. All storage connections are identity-based (`<NAME>__<service>ServiceUri` +
// `<NAME>__credential=managedidentity`); no account keys or AccountKey connection strings.

@description('Function app name.')
param name string

@description('Flex Consumption plan name.')
param planName string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object = {}

@description('azd service name, written as the azd-service-name tag so `azd deploy` finds the app.')
param serviceName string = 'api'

@description('Storage account name (host state, app data, deployment package).')
param storageAccountName string

@description('Blob container holding the deployment package.')
param deploymentContainerName string

@description('Application Insights component name.')
param applicationInsightsName string

@description('Memory per instance in MB. The ResNet18 model plus ONNX Runtime need about 1 GB; 4096 also gives 2 vCPU.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 4096

@description('Upper bound on scale-out (Flex Consumption instances).')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Container with the images to score.')
param imagesContainerName string

@description('Container with the reference images.')
param referenceContainerName string

@description('Container with fitted detector models.')
param modelsContainerName string

@description('Table receiving the verdicts.')
param resultsTableName string

@description('NCRONTAB schedule (6 fields, UTC) of the reference refit timer.')
param refitSchedule string

@description('Target false alarm rate used to calibrate detector thresholds, decimal as a string.')
param targetFalseAlarmRate string

@description('Number of fitted model versions kept in the models container.')
param keepModelVersions int

@description('Refit on reference images from the last N days only; 0 = all reference images.')
param refitWindowDays int

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true // Linux
  }
}

var blobEndpoint = storage.properties.primaryEndpoints.blob
var queueEndpoint = storage.properties.primaryEndpoints.queue
var tableEndpoint = storage.properties.primaryEndpoints.table

var appSettings = [
  // Host storage (leases, timers, blob receipts, Event Grid blob trigger bookkeeping).
  { name: 'AzureWebJobsStorage__blobServiceUri', value: blobEndpoint }
  { name: 'AzureWebJobsStorage__queueServiceUri', value: queueEndpoint }
  { name: 'AzureWebJobsStorage__tableServiceUri', value: tableEndpoint }
  { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
  // The app's own storage connection (images, reference, models, driftresults, queues).
  { name: 'DriftStorage__blobServiceUri', value: blobEndpoint }
  { name: 'DriftStorage__queueServiceUri', value: queueEndpoint }
  { name: 'DriftStorage__tableServiceUri', value: tableEndpoint }
  { name: 'DriftStorage__credential', value: 'managedidentity' }
  // Application Insights accepts Entra ID telemetry only (DisableLocalAuth): the app sends it
  // with its system-assigned identity, which holds Monitoring Metrics Publisher (rbac.bicep).
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: applicationInsights.properties.ConnectionString }
  { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'Authorization=AAD' }
  // The app's own settings.
  { name: 'ImagesContainer', value: imagesContainerName }
  { name: 'ReferenceContainer', value: referenceContainerName }
  { name: 'ModelsContainer', value: modelsContainerName }
  { name: 'ResultsTable', value: resultsTableName }
  { name: 'RefitSchedule', value: refitSchedule }
  { name: 'TargetFalseAlarmRate', value: targetFalseAlarmRate }
  { name: 'KeepModelVersions', value: string(keepModelVersions) }
  { name: 'RefitWindowDays', value: string(refitWindowDays) }
]

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      // FUNCTIONS_WORKER_RUNTIME / FUNCTIONS_EXTENSION_VERSION are not allowed on Flex
      // Consumption: the runtime comes from functionAppConfig.runtime below.
      appSettings: appSettings
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'SystemAssignedIdentity'
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

// No FTP or SCM basic-auth publishing: deployments go through Entra ID (azd / az CLI).
resource ftpPolicy 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPolicy 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

output name string = functionApp.name
output id string = functionApp.id
output principalId string = functionApp.identity.principalId
output defaultHostName string = functionApp.properties.defaultHostName
output uri string = 'https://${functionApp.properties.defaultHostName}'
