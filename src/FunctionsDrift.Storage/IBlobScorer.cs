namespace FunctionsDrift.Storage;

/// <summary>Scores one announced blob of the images container (implemented by <see cref="ScoringService"/>).</summary>
public interface IBlobScorer
{
    Task<(ScoreOutcome Outcome, ResultEntity? Row)> ScoreAsync(string blobName, BlobHint? hint, CancellationToken ct);
}
