// Least-privilege data-plane roles for the function app's system-assigned identity and,
// optionally, for the deploying user (so `drift upload` / `drift results` work from a laptop
// with `--account-url`, or az with `--auth-mode login`). Names are guid(scope, principal, role): stable across re-deploys.

@description('Storage account the roles are scoped to.')
param storageAccountName string

@description('Application Insights component (Monitoring Metrics Publisher for AAD-authenticated telemetry).')
param applicationInsightsName string

@description('Principal id of the function app system-assigned identity.')
param appPrincipalId string

@description('Optional principal id of the deploying user or CI identity. Empty: no user assignments.')
param userPrincipalId string = ''

@description('Type of userPrincipalId.')
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param userPrincipalType string = 'User'

// Storage Blob Data Owner: the Functions host needs it for AzureWebJobsStorage (blob leases,
// singleton locks, blob-trigger receipts) and the deployment container on Flex Consumption.
// Blob Data Contributor is not enough for the host's identity-based AzureWebJobsStorage.
var storageBlobDataOwnerRoleId = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
// Storage Blob Data Contributor: read/write blobs, no ACL/ownership operations (user only).
var storageBlobDataContributorRoleId = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
// Storage Queue Data Contributor: blob-created / blob-created-poison queues, host queues.
var storageQueueDataContributorRoleId = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
// Storage Table Data Contributor: driftresults table, host timer/diagnostic tables.
var storageTableDataContributorRoleId = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
// Monitoring Metrics Publisher: send telemetry to Application Insights with Entra ID auth.
var monitoringMetricsPublisherRoleId = '3913510d-42f4-4e42-8a64-420c390055eb'

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

var appStorageRoles = [
  storageBlobDataOwnerRoleId
  storageQueueDataContributorRoleId
  storageTableDataContributorRoleId
]

// The user manages data, not the host: Blob Data Contributor is enough for upload/list/read.
var userStorageRoles = [
  storageBlobDataContributorRoleId
  storageQueueDataContributorRoleId
  storageTableDataContributorRoleId
]

resource appStorageAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in appStorageRoles: {
    name: guid(storage.id, appPrincipalId, roleId)
    scope: storage
    properties: {
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    }
  }
]

resource appMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, appPrincipalId, monitoringMetricsPublisherRoleId)
  scope: applicationInsights
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisherRoleId)
  }
}

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
