// Event Grid system topic on the storage account and, once the function app's code is deployed,
// a subscription pushing Microsoft.Storage.BlobCreated events for the images container to the
// blob extension webhook of the ScoreImage function (blob trigger with Source = EventGrid).
//
// The webhook needs the `blobs_extension` system key, which the Functions host creates only after
// the code is deployed. So the first pass deploys the topic only (blobsExtensionKey = ''), and the
// azd postdeploy hook (scripts/postdeploy.sh) reads the key and re-runs the deployment with it.

@description('Azure region (same as the storage account).')
param location string

@description('Tags for every resource.')
param tags object = {}

@description('System topic name.')
param systemTopicName string

@description('Storage account raising the events.')
param storageAccountName string

@description('Function app hosting ScoreImage.')
param functionAppName string

@description('Function that receives the events (blob trigger with Source = EventGrid).')
param functionName string = 'ScoreImage'

@description('Container whose new blobs are scored.')
param imagesContainerName string

@description('Container receiving events that could not be delivered (created by storage.bicep).')
param deadLetterContainerName string

@description('Action group for the dead-letter alert. Empty: the alert fires in the portal only.')
param actionGroupId string = ''

@description('Name of the dead-letter metric alert.')
param deadLetterAlertName string

@description('Event subscription name.')
param subscriptionName string = 'score-image-blob-created'

@secure()
@description('The function app `blobs_extension` system key. Empty: the event subscription is not deployed (first pass, before code deploy).')
param blobsExtensionKey string = ''

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: systemTopicName
  location: location
  tags: tags
  // Shared keys are off: the topic writes dead-lettered events with its own identity.
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

var functionAppHost = functionApp.properties.defaultHostName

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2024-01-01' existing = {
  parent: storage
  name: 'default'
}

resource deadLetterContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' existing = {
  parent: blobService
  name: deadLetterContainerName
}

// Storage Blob Data Contributor for the topic, on the dead-letter container only: it writes the undelivered events there.
var storageBlobDataContributorRoleId = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

resource topicDeadLetterWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(deadLetterContainer.id, systemTopic.id, storageBlobDataContributorRoleId)
  scope: deadLetterContainer
  properties: {
    principalId: systemTopic.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributorRoleId)
  }
}

resource blobCreated 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = if (!empty(blobsExtensionKey)) {
  parent: systemTopic
  name: subscriptionName
  properties: {
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: 'https://${functionAppHost}/runtime/webhooks/blobs?functionName=Host.Functions.${functionName}&code=${blobsExtensionKey}'
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    filter: {
      includedEventTypes: [
        'Microsoft.Storage.BlobCreated'
      ]
      subjectBeginsWith: '/blobServices/default/containers/${imagesContainerName}/'
      enableAdvancedFilteringOnArrays: true
    }
    eventDeliverySchema: 'EventGridSchema'
    // The webhook answers 5xx/429 while the app scales out or the blob extension is saturated: Event Grid retries with
    // exponential back-off for up to 30 attempts within 24 h, then dead-letters the event (never silently drops it).
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: storage.id
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
  dependsOn: [
    topicDeadLetterWriter
  ]
}

// Any dead-lettered event is an image that was never scored: alert on the first one.
resource deadLetterAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: deadLetterAlertName
  location: 'global'
  tags: tags
  properties: {
    description: 'Event Grid dead-lettered BlobCreated events for ScoreImage: those images were not scored. The events are in the ${deadLetterContainerName} container; re-post them to the blob extension webhook or re-upload the blobs.'
    severity: 2
    enabled: true
    scopes: [
      systemTopic.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'DeadLettered'
          metricNamespace: 'Microsoft.EventGrid/systemTopics'
          metricName: 'DeadLetteredCount'
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Total'
        }
      ]
    }
    actions: empty(actionGroupId) ? [] : [
      {
        actionGroupId: actionGroupId
      }
    ]
  }
}

output systemTopicName string = systemTopic.name
output deadLetterAlertName string = deadLetterAlert.name
output subscriptionName string = subscriptionName
