// Least-privilege data-plane roles for the function app's system-assigned identity and,
// optionally, for the deploying user (so `drift upload` / `drift results` work from a laptop
// with `--account-url`, or az with `--auth-mode login`). Names are guid(scope, principal, role):
// stable across re-deploys. Each app role is scoped as narrowly as the platform allows, with
// the reason next to it. None of this has been deployed from here (no Azure access).

@description('Storage account the roles are scoped to.')
param storageAccountName string

@description('Application Insights component (Monitoring Metrics Publisher for AAD-authenticated telemetry).')
param applicationInsightsName string

@description('Principal id of the function app system-assigned identity.')
param appPrincipalId string

@description('Container whose new blobs are scored.')
param imagesContainerName string

@description('Container with the reference images.')
param referenceContainerName string

@description('Container with fitted models and the current.json pointer.')
param modelsContainerName string

@description('Flex Consumption deployment package container.')
param deploymentContainerName string

@description('Table receiving the verdicts.')
param resultsTableName string

@description('Optional principal id of the deploying user or CI identity. Empty: no user assignments.')
param userPrincipalId string = ''

@description('Type of userPrincipalId.')
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param userPrincipalType string = 'User'

// Storage Blob Data Owner: what Microsoft lists for an identity-based AzureWebJobsStorage.
var storageBlobDataOwnerRoleId = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
// Storage Blob Data Contributor: read, write and delete blobs, no ACL/ownership operations.
var storageBlobDataContributorRoleId = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
// Storage Blob Data Reader: read and list blobs.
var storageBlobDataReaderRoleId = '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
// Storage Queue Data Contributor: send, receive and delete queue messages.
var storageQueueDataContributorRoleId = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
// Storage Table Data Contributor: read and write table entities.
var storageTableDataContributorRoleId = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
// Monitoring Metrics Publisher: send telemetry to Application Insights with Entra ID auth.
var monitoringMetricsPublisherRoleId = '3913510d-42f4-4e42-8a64-420c390055eb'

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2024-01-01' existing = {
  parent: storage
  name: 'default'
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2024-01-01' existing = {
  parent: storage
  name: 'default'
}

resource resultsTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2024-01-01' existing = {
  parent: tableService
  name: resultsTableName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// The app's blob roles, one container each.
var appContainerRoles = [
  // ScoreImage reads each new image (properties, download); nothing in the app writes there.
  { container: imagesContainerName, roleId: storageBlobDataReaderRoleId }
  // The refit lists and reads the reference images.
  { container: referenceContainerName, roleId: storageBlobDataReaderRoleId }
  // The refit writes model versions and the features next to them, swaps current.json and prunes old versions.
  { container: modelsContainerName, roleId: storageBlobDataContributorRoleId }
  // Flex Consumption: with `authentication: SystemAssignedIdentity` the platform both writes the package that
  // `azd deploy` (one-deploy) sends and reads it at start-up with the app's identity, so the identity needs write here
  // (Microsoft Learn, "Flex Consumption plan hosting", deployment storage: a Blob Data Contributor or Owner role for the
  // identity on the deployment storage). Scoped to this one container, the app cannot touch any other package or data.
  { container: deploymentContainerName, roleId: storageBlobDataContributorRoleId }
  // Host state (AzureWebJobsStorage): locks and leases, timer schedule status and blob-trigger receipts, and the
  // function keys. Owner is what Microsoft lists for an identity-based AzureWebJobsStorage; storage.bicep creates both
  // containers beforehand, so the host never needs rights on the whole account.
  { container: 'azure-webjobs-hosts', roleId: storageBlobDataOwnerRoleId }
  { container: 'azure-webjobs-secrets', roleId: storageBlobDataOwnerRoleId }
]

resource appContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' existing = [
  for a in appContainerRoles: {
    parent: blobService
    name: a.container
  }
]

resource appContainerAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (a, i) in appContainerRoles: {
    name: guid(appContainers[i].id, appPrincipalId, a.roleId)
    scope: appContainers[i]
    properties: {
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', a.roleId)
    }
  }
]

// Queues, account-wide: the host names the blob trigger's queues itself (azure-webjobs-blobtrigger-<hostId>,
// webjobs-blobtrigger-poison); the host id comes from the site name at run time, so queue-level scopes would break.
resource appQueueAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appPrincipalId, storageQueueDataContributorRoleId)
  scope: storage
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageQueueDataContributorRoleId)
  }
}

// Tables: only the verdict table (rows written by ScoreImage, read by the HTTP API and the refit).
resource appTableAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resultsTable.id, appPrincipalId, storageTableDataContributorRoleId)
  scope: resultsTable
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributorRoleId)
  }
}

resource appMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, appPrincipalId, monitoringMetricsPublisherRoleId)
  scope: applicationInsights
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisherRoleId)
  }
}

// The user manages data, not the host: Blob Data Contributor is enough for upload/list/read; account-wide because
// the operator also creates containers and reads the table and queues.
var userStorageRoles = [
  storageBlobDataContributorRoleId
  storageQueueDataContributorRoleId
  storageTableDataContributorRoleId
]

resource userStorageAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in (empty(userPrincipalId) ? [] : userStorageRoles): {
    name: guid(storage.id, userPrincipalId, roleId)
    scope: storage
    properties: {
      principalId: userPrincipalId
      principalType: userPrincipalType
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    }
  }
]
