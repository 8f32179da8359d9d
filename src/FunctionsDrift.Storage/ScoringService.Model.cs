using FunctionsDrift.Core.Model;
using FunctionsDrift.Core.Scoring;

namespace FunctionsDrift.Storage;

public sealed partial class ScoringService
{
    /// <summary>
    /// The model to score with, or why there is none usable: no model yet, a model that cannot be loaded, or one fitted on
    /// another embedder's features (same length, other meaning: scoring would be silently wrong).
    /// </summary>
    private async Task<(ReferenceModel? Model, (string Kind, string Message)? Problem)> ModelForAsync(
        DateTimeOffset blobLastModified, long observed, CancellationToken ct)
    {
        ReferenceModel? model;
        try
        {
            model = await models.GetCurrentForBlobAsync(blobLastModified, observed, ct);
        }
        catch (ModelUnavailableException e)
        {
            return (null, (ModelUnavailableKind, e.Message));
        }
        if (model is null)
        {
            return (null, (NoReferenceKind, NoReferenceMessage));
        }
        if (model.ModelIdentity != extractor.ModelIdentity)
        {
            return (null, (ModelMismatchKind, MismatchMessage(model.Version, model.ModelIdentity, extractor.ModelIdentity)));
        }
        return (model, null);
    }

    public static string MismatchMessage(string version, string modelIdentity, string extractorIdentity) =>
        $"reference model {version} was fitted on embedder '{modelIdentity}' but this host extracts '{extractorIdentity}': refit (POST /api/refit)";

    // The scorer of the current model: its thresholds are computed once per model version, not once per image.
    private DriftScorer? _scorer;

    private DriftScorer ScorerFor(ReferenceModel model)
    {
        var scorer = _scorer;
        if (!ReferenceEquals(scorer?.Model, model))
        {
            scorer = new DriftScorer(model);
            _scorer = scorer;
        }
        return scorer;
    }

    private const string NoReferenceMessage = "no reference model published yet: run the refit (POST /api/refit or drift fit)";
}
