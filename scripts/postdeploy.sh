#!/bin/sh
# Second deployment pass: create the Event Grid subscription that pushes BlobCreated events for
# the images container to the ScoreImage blob trigger (Source = EventGrid).
#
# The webhook URL needs the function app's `blobs_extension` system key, which the Functions
# host creates only after the code is deployed and the host has started. So infra/main.bicep
# skips the subscription while its `blobsExtensionKey` parameter is empty; this script reads
# the key and deploys the template again with it.
#
# Under azd (postdeploy hook in azure.yaml) it stores the key in the azd environment
# (BLOBS_EXTENSION_KEY, mapped in infra/main.parameters.json) and runs `azd provision`, so all
# other parameters stay as azd has them and later `azd up` runs keep the subscription.
# Without azd, set AZURE_FUNCTION_APP_NAME, AZURE_RESOURCE_GROUP, AZURE_ENV_NAME and
# AZURE_LOCATION and it runs `az deployment sub create`; extra arguments are passed on to it
# (e.g. --parameters driftRateAlertThreshold=0.1).
set -eu

die() { echo "error: $*" >&2; exit 1; }

command -v az >/dev/null 2>&1 || die "the Azure CLI (az) is required, see docs/deploy.md"

if command -v azd >/dev/null 2>&1 && [ -n "${AZURE_ENV_NAME:-}" ]; then
  use_azd=1 # azd hands its environment (including the template outputs) to hooks
else
  use_azd=0
fi

: "${AZURE_FUNCTION_APP_NAME:?set AZURE_FUNCTION_APP_NAME}"
: "${AZURE_RESOURCE_GROUP:?set AZURE_RESOURCE_GROUP}"

app="$AZURE_FUNCTION_APP_NAME"
rg="$AZURE_RESOURCE_GROUP"

# Wake the host so that it creates its system keys (Flex Consumption scales to zero).
host=$(az functionapp show -n "$app" -g "$rg" --query defaultHostName -o tsv)
curl -s -o /dev/null --max-time 30 "https://$host/" || true

key=""
attempt=0
while [ "$attempt" -lt 18 ]; do
  key=$(az functionapp keys list -n "$app" -g "$rg" --query "systemKeys.blobs_extension" -o tsv 2>/dev/null || true)
  [ -n "$key" ] && break
  attempt=$((attempt + 1))
  echo "waiting for the blobs_extension key of $app ($attempt/18)..."
  sleep 10
done
[ -n "$key" ] || die "no blobs_extension system key on $app: is ScoreImage deployed with BlobTriggerSource.EventGrid?"

if [ "$use_azd" = 1 ]; then
  if [ "${BLOBS_EXTENSION_KEY:-}" = "$key" ] && [ -n "${AZURE_EVENTGRID_SYSTEM_TOPIC_NAME:-}" ] &&
    az eventgrid system-topic event-subscription show -g "$rg" \
      --system-topic-name "$AZURE_EVENTGRID_SYSTEM_TOPIC_NAME" \
      -n "${AZURE_EVENTGRID_SUBSCRIPTION_NAME:-score-image-blob-created}" >/dev/null 2>&1; then
    echo "Event Grid subscription already in place with the current key."
    exit 0
  fi
  azd env set BLOBS_EXTENSION_KEY "$key" >/dev/null
  echo "Deploying again with the blobs_extension key (Event Grid subscription)..."
  azd provision --no-prompt
else
  : "${AZURE_ENV_NAME:?set AZURE_ENV_NAME}"
  : "${AZURE_LOCATION:?set AZURE_LOCATION}"
  here=$(cd "$(dirname "$0")" && pwd)
  az deployment sub create \
    --name "functionsdrift-$AZURE_ENV_NAME" \
    --location "$AZURE_LOCATION" \
    --template-file "$here/../infra/main.bicep" \
    --parameters environmentName="$AZURE_ENV_NAME" location="$AZURE_LOCATION" \
      resourceGroupName="$rg" blobsExtensionKey="$key" \
    "$@" \
    --output none
fi
echo "Event Grid subscription for BlobCreated in the images container is deployed."
