// Log Analytics workspace, workspace-based Application Insights, and a log alert on the
// hourly drift rate computed from the app's `DriftVerdict` traces
// (customDimensions.DriftVerdict: 1 = image flagged as drift, 0 = not; customDimensions.referenceVersion).

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object = {}

@description('Log Analytics workspace name.')
param logAnalyticsName string

@description('Application Insights component name.')
param applicationInsightsName string

@description('Log retention in days.')
@minValue(30)
@maxValue(730)
param retentionInDays int = 30

@description('Alert when the hourly drift rate (drifted / scored) exceeds this value, a decimal in (0, 1] written as a string, e.g. "0.2".')
param driftRateAlertThreshold string = '0.2'

@description('Do not alert on an hour with fewer scored images than this (a rate over 3 images means little).')
@minValue(1)
param driftAlertMinImages int = 20

@description('Optional e-mail address for the drift alert action group. Empty: the alert fires in the portal only.')
param alertEmail string = ''

@description('Name of the drift-rate alert rule.')
param alertRuleName string

@description('Name of the action group (created only when alertEmail is set).')
param actionGroupName string

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    DisableLocalAuth: true // Entra ID (AAD) authenticated telemetry only
    IngestionMode: 'LogAnalytics'
  }
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: actionGroupName
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'driftalert'
    enabled: true
    emailReceivers: [
      {
        name: 'drift-owner'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

// Hourly drift rate over the last hour, from exactly what the app emits: one Information trace per
// verdict, "DriftVerdict {DriftVerdict} referenceVersion={referenceVersion}", sent by the worker's
// own Application Insights logger (FunctionsAppServices lets that category through; the host does
// not forward worker logs when the worker logs to Application Insights itself). The values are in
// customDimensions; itemCount weights rows kept by the worker SDK's adaptive sampling. Hours with
// too few scored images are dropped.
var driftRateQuery = '''
traces
| where message startswith "DriftVerdict "
| extend Verdict = toint(customDimensions["DriftVerdict"])
| where Verdict in (0, 1)
| summarize Drifted = sum(Verdict * itemCount), Scored = sum(itemCount)
| where Scored >= {0}
| extend DriftRate = todouble(Drifted) / Scored
| project DriftRate, Drifted, Scored
'''

resource driftRateAlert 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: alertRuleName
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Hourly image drift rate above ${driftRateAlertThreshold}'
    description: 'Fraction of images flagged as drift in the last hour (DriftVerdict traces) exceeded ${driftRateAlertThreshold}. Check recent verdicts in the driftresults table and the referenceVersion dimension.'
    severity: 2
    enabled: true
    scopes: [
      applicationInsights.id
    ]
    evaluationFrequency: 'PT1H'
    windowSize: 'PT1H'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: format(driftRateQuery, driftAlertMinImages)
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'DriftRate'
          operator: 'GreaterThan'
          threshold: json(driftRateAlertThreshold)
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: empty(alertEmail) ? [] : [actionGroup.id]
    }
  }
}

output applicationInsightsName string = applicationInsights.name
output applicationInsightsId string = applicationInsights.id
output applicationInsightsConnectionString string = applicationInsights.properties.ConnectionString
output logAnalyticsName string = logAnalytics.name
output driftRateAlertName string = driftRateAlert.name
output actionGroupId string = empty(alertEmail) ? '' : actionGroup.id
