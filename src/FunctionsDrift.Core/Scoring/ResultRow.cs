using System.Text.Json.Serialization;

namespace FunctionsDrift.Core.Scoring;

/// <summary>
/// One scored image as every output shows it: <c>drift score</c>, <c>drift eval --scores-out</c> and <c>drift results</c>
/// (CSV and JSON lines) and <c>GET /api/results</c>. A row from the results table also says where the blob is and when it
/// was scored; those properties are null for a local file and left out of its JSON.
/// </summary>
public sealed record ResultRow
{
    /// <summary>File name, or blob name in the images container.</summary>
    public required string Image { get; init; }

    /// <summary>The fused verdict; null when the image could not be scored.</summary>
    public bool? Drift { get; init; }

    /// <summary>Bonferroni-adjusted smallest detector p-value; null when not scored.</summary>
    public double? FusedP { get; init; }

    public string? ReferenceVersion { get; init; }

    /// <summary>Each detector of the model, in its order; empty when not scored.</summary>
    [JsonConverter(typeof(DetectorResultsJsonConverter))]
    public IReadOnlyList<DetectorResult> Detectors { get; init; } = [];

    /// <summary>"detector: detail" for each flagged detector; empty when nothing fired, null when not scored.</summary>
    public string? Reasons { get; init; }

    public string? Error { get; init; }

    /// <summary><c>ok</c> or <c>error</c> (results table only).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Status { get; init; }

    /// <summary>Why the row is an error: the image's fault (<c>NotAnImage</c>, …) or the model's (<c>NoReference</c>, …).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ErrorKind { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? BlobLastModified { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? ScoredAt { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Width { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Height { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? BlobUrl { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? BlobETag { get; init; }

    /// <summary>A row with the verdict on <paramref name="image"/>.</summary>
    public static ResultRow Scored(string image, ScoreResult result) => new()
    {
        Image = image,
        Drift = result.Drift,
        FusedP = result.FusedPValue,
        ReferenceVersion = result.ReferenceVersion,
        Detectors = result.Detectors,
        Reasons = result.Reasons,
    };

    /// <summary>A row for an image that could not be scored.</summary>
    public static ResultRow Failed(string image, string? error) => new() { Image = image, Error = error };
}
