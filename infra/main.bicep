// FunctionsDrift infrastructure: storage (images/reference/models, driftresults table, queues),
// Flex Consumption function app (.NET 10 isolated) with a system-assigned identity and
// identity-based connections only, Event Grid push of BlobCreated events to ScoreImage,
// Log Analytics + Application Insights with a drift-rate alert.
//
// Target scope is the subscription (like the azd quickstarts): the deployment creates the
// resource group `rg-<environmentName>` unless resourceGroupName is given, so `azd up` needs
// nothing beforehand. Everything else is deployed into that group by the modules in ./app.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Environment name (azd AZURE_ENV_NAME); part of the resource group name and the azd-env-name tag.')
param environmentName string

@minLength(1)
@description('Primary region for all resources. It must offer Flex Consumption.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Resource group name. Empty: rg-<environmentName>.')
param resourceGroupName string = ''

@description('Optional Entra object id of the deploying user (azd AZURE_PRINCIPAL_ID) to get blob/queue/table data roles. Empty: none.')
param principalId string = ''

@description('Type of principalId.')
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param principalType string = 'User'

@description('Storage account name. Empty: st<resourceToken>.')
param storageAccountName string = ''

@description('Function app name. Empty: func-<resourceToken>.')
param functionAppName string = ''

@description('Flex Consumption plan name. Empty: plan-<resourceToken>.')
param appServicePlanName string = ''

@description('Log Analytics workspace name. Empty: log-<resourceToken>.')
param logAnalyticsName string = ''

@description('Application Insights name. Empty: appi-<resourceToken>.')
param applicationInsightsName string = ''

@description('Container whose new blobs are scored (Event Grid filter and ImagesContainer setting).')
param imagesContainerName string = 'images'

@description('Container with the reference images.')
param referenceContainerName string = 'reference'

@description('Container with fitted detector models.')
param modelsContainerName string = 'models'

@description('Table receiving the verdicts.')
param resultsTableName string = 'driftresults'

@description('Memory per Flex Consumption instance in MB (ResNet18 + ONNX Runtime need about 1 GB).')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 4096

@description('Upper bound on Flex Consumption scale-out.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('NCRONTAB schedule (6 fields, UTC) of the reference refit timer: RefitSchedule app setting.')
param refitSchedule string = '0 0 3 * * *'

@description('Target false alarm rate used to calibrate detector thresholds (decimal as a string): TargetFalseAlarmRate app setting.')
param targetFalseAlarmRate string = '0.01'

@description('Fitted model versions kept in the models container: KeepModelVersions app setting.')
@minValue(1)
param keepModelVersions int = 10

@description('Days of accepted production images (scored, not flagged) added to the reference container at each refit, at most RefitMaxAccepted spread evenly over the window; 0 = reference container only: RefitWindowDays app setting.')
@minValue(0)
param refitWindowDays int = 0

@description('Alert when the hourly drift rate exceeds this (decimal as a string).')
param driftRateAlertThreshold string = '0.2'

@description('Minimum images scored in the hour before the drift-rate alert can fire.')
@minValue(1)
param driftAlertMinImages int = 20

@description('Optional e-mail for the drift alert action group. Empty: no action group.')
param alertEmail string = ''

@secure()
@description('The function app `blobs_extension` system key, known only after code deploy. Empty: the Event Grid subscription is not deployed; scripts/postdeploy.sh sets it and deploys again.')
param blobsExtensionKey string = ''

var abbrs = {
  resourceGroup: 'rg-'
  storageAccount: 'st'
  functionApp: 'func-'
  plan: 'plan-'
  logAnalytics: 'log-'
  applicationInsights: 'appi-'
  systemTopic: 'evgt-'
  alert: 'alrt-'
  actionGroup: 'ag-'
}
var tags = {
  'azd-env-name': environmentName
  app: 'functionsdrift'
}

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourceGroup}${environmentName}'
  location: location
  tags: tags
}

var resourceToken = toLower(uniqueString(subscription().id, rg.id, location))
var storageName = !empty(storageAccountName) ? storageAccountName : '${abbrs.storageAccount}${resourceToken}'
var appName = !empty(functionAppName) ? functionAppName : '${abbrs.functionApp}${resourceToken}'
var appInsightsName = !empty(applicationInsightsName) ? applicationInsightsName : '${abbrs.applicationInsights}${resourceToken}'
// Flex Consumption pulls the app package from this container with the app's identity.
var deploymentContainerName = 'app-package-${take(appName, 32)}-${take(resourceToken, 7)}'
var deadLetterContainerName = 'eventgrid-deadletter'
var workspaceName = !empty(logAnalyticsName) ? logAnalyticsName : '${abbrs.logAnalytics}${resourceToken}'

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: storageName
    location: location
    tags: tags
    containerNames: [
      imagesContainerName
      referenceContainerName
      modelsContainerName
      deploymentContainerName
      // The host's own state, created here so that its role can be scoped to these containers (rbac.bicep).
      'azure-webjobs-hosts'
      'azure-webjobs-secrets'
      // Event Grid events that could not be delivered to ScoreImage (eventgrid.bicep).
      deadLetterContainerName
    ]
    tableNames: [
      resultsTableName
    ]
    queueNames: [
      'blob-created'
      'blob-created-poison'
      // Where the Functions host moves a blob that failed poisonBlobThreshold times (alerted on, poison-alert.bicep).
      'webjobs-blobtrigger-poison'
    ]
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    location: location
    tags: tags
    logAnalyticsName: workspaceName
    applicationInsightsName: appInsightsName
    driftRateAlertThreshold: driftRateAlertThreshold
    driftAlertMinImages: driftAlertMinImages
    alertEmail: alertEmail
    alertRuleName: '${abbrs.alert}drift-rate-${resourceToken}'
    actionGroupName: '${abbrs.actionGroup}drift-${resourceToken}'
  }
}

module function 'app/function.bicep' = {
  name: 'function'
  scope: rg
  params: {
    name: appName
    planName: !empty(appServicePlanName) ? appServicePlanName : '${abbrs.plan}${resourceToken}'
    location: location
    tags: tags
    serviceName: 'api'
    storageAccountName: storageName
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: appInsightsName
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    imagesContainerName: imagesContainerName
    referenceContainerName: referenceContainerName
    modelsContainerName: modelsContainerName
    resultsTableName: resultsTableName
    refitSchedule: refitSchedule
    targetFalseAlarmRate: targetFalseAlarmRate
    keepModelVersions: keepModelVersions
    refitWindowDays: refitWindowDays
  }
  dependsOn: [
    storage
  ]
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storageName
    applicationInsightsName: appInsightsName
    // The principal id exists only once the app does; it is part of the role assignment names
    // (guid(scope, principal, role)) so that a re-created identity gets new assignments.
    #disable-next-line what-if-short-circuiting
    appPrincipalId: function.outputs.principalId
    imagesContainerName: imagesContainerName
    referenceContainerName: referenceContainerName
    modelsContainerName: modelsContainerName
    deploymentContainerName: deploymentContainerName
    resultsTableName: resultsTableName
    userPrincipalId: principalId
    userPrincipalType: principalType
  }
}

module eventgrid 'app/eventgrid.bicep' = {
  name: 'eventgrid'
  scope: rg
  params: {
    location: location
    tags: tags
    systemTopicName: '${abbrs.systemTopic}${resourceToken}'
    storageAccountName: storageName
    functionAppName: appName
    functionName: 'ScoreImage'
    imagesContainerName: imagesContainerName
    deadLetterContainerName: deadLetterContainerName
    blobsExtensionKey: blobsExtensionKey
    actionGroupId: monitoring.outputs.actionGroupId
    deadLetterAlertName: '${abbrs.alert}eventgrid-deadletter-${resourceToken}'
  }
  dependsOn: [
    function
    storage
  ]
}

module poisonAlert 'app/poison-alert.bicep' = {
  name: 'poison-alert'
  scope: rg
  params: {
    location: location
    tags: tags
    storageAccountName: storageName
    logAnalyticsName: workspaceName
    actionGroupId: monitoring.outputs.actionGroupId
    alertRuleName: '${abbrs.alert}blob-poison-${resourceToken}'
  }
  dependsOn: [
    storage
  ]
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = function.outputs.name
output AZURE_FUNCTION_APP_URL string = function.outputs.uri
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_BLOB_ENDPOINT string = storage.outputs.primaryBlobEndpoint
output AZURE_STORAGE_QUEUE_ENDPOINT string = storage.outputs.primaryQueueEndpoint
output AZURE_STORAGE_TABLE_ENDPOINT string = storage.outputs.primaryTableEndpoint
output AZURE_IMAGES_CONTAINER string = imagesContainerName
output AZURE_REFERENCE_CONTAINER string = referenceContainerName
output AZURE_MODELS_CONTAINER string = modelsContainerName
output AZURE_RESULTS_TABLE string = resultsTableName
output AZURE_EVENTGRID_SYSTEM_TOPIC_NAME string = eventgrid.outputs.systemTopicName
output AZURE_EVENTGRID_SUBSCRIPTION_NAME string = eventgrid.outputs.subscriptionName
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
