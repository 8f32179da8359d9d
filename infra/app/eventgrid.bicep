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
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

var functionAppHost = functionApp.properties.defaultHostName

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
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}

output systemTopicName string = systemTopic.name
output subscriptionName string = subscriptionName
