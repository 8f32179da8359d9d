// An alert on the blob trigger's poison queue: the Functions host moves a blob there after
// poisonBlobThreshold failed attempts (host.json), and it is never retried. Queue metrics have no
// per-queue dimension, so the queue service's write log goes to Log Analytics and a log alert
// counts the messages put on `webjobs-blobtrigger-poison`.

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object = {}

@description('Storage account of the host (AzureWebJobsStorage).')
param storageAccountName string

@description('Log Analytics workspace receiving the queue write log.')
param logAnalyticsName string

@description('Action group for the alert. Empty: the alert fires in the portal only.')
param actionGroupId string = ''

@description('Name of the alert rule.')
param alertRuleName string

@description('The host\'s poison queue for blob triggers.')
param poisonQueueName string = 'webjobs-blobtrigger-poison'

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2024-01-01' existing = {
  parent: storage
  name: 'default'
}

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: logAnalyticsName
}

// Writes only (PutMessage, DeleteMessage, …): the queues see a few operations per image, so the log stays small.
resource queueWriteLog 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'queue-writes'
  scope: queueService
  properties: {
    workspaceId: workspace.id
    logs: [
      {
        category: 'StorageWrite'
        enabled: true
      }
    ]
  }
}

var poisonQuery = '''
StorageQueueLogs
| where OperationName == "PutMessage"
| where ObjectKey contains "/{0}/"
'''

resource poisonAlert 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: alertRuleName
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Images moved to the blob trigger poison queue'
    description: 'The Functions host gave up on a blob after poisonBlobThreshold failed attempts; the image has no verdict. Read the message in the ${poisonQueueName} queue and the exception in Application Insights.'
    severity: 2
    enabled: true
    scopes: [
      workspace.id
    ]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: format(poisonQuery, poisonQueueName)
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: empty(actionGroupId) ? [] : [
        actionGroupId
      ]
    }
  }
  dependsOn: [
    queueWriteLog
  ]
}

output alertRuleName string = poisonAlert.name
