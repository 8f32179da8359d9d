using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace FunctionsDrift.Storage;

/// <summary>
/// The app's settings, read from app settings / environment (flat keys such as <c>ImagesContainer</c>), each with a default.
/// </summary>
public sealed record DriftSettings
{
    /// <summary>Name of the storage connection setting: a connection string, or <c>NAME__blobServiceUri</c> etc. for identity.</summary>
    public string ConnectionName { get; init; } = "DriftStorage";

    /// <summary>Container whose new blobs are scored.</summary>
    public string ImagesContainer { get; init; } = "images";

    /// <summary>Container of reference images the refit fits on.</summary>
    public string ReferenceContainer { get; init; } = "reference";

    /// <summary>Container of model versions and the <c>current.json</c> pointer.</summary>
    public string ModelsContainer { get; init; } = "models";

    /// <summary>Table of results, one entity per scored blob.</summary>
    public string ResultsTable { get; init; } = "driftresults";

    /// <summary>NCRONTAB schedule (6 fields, UTC) of the refit timer.</summary>
    public string RefitSchedule { get; init; } = "0 0 3 * * *";

    /// <summary>Target false-alarm rate of the fused verdict used by the refit.</summary>
    public double TargetFalseAlarmRate { get; init; } = 0.01;

    /// <summary>Model versions kept in the models container (the current one is never pruned).</summary>
    public int KeepModelVersions { get; init; } = 10;

    /// <summary>
    /// Days of accepted (scored, not flagged) production images added to the whole reference container at refit, at most
    /// <see cref="RefitMaxAccepted"/> spread evenly over the window; 0 = reference container only. It never limits the reference container.
    /// </summary>
    public int RefitWindowDays { get; init; }

    /// <summary>Queue of Event-Grid-shaped BlobCreated messages consumed by the local host.</summary>
    public string BlobCreatedQueue { get; init; } = "blob-created";

    /// <summary>Buckets per hour in the results partition key; spreads a busy hour over several partitions.</summary>
    public int PartitionBuckets { get; init; } = 4;

    /// <summary>Minimum images for a refit (below it the refit is skipped).</summary>
    public int MinImages { get; init; } = 20;

    /// <summary>Maximum accepted images from results added at refit (sampled evenly over the window when there are more).</summary>
    public int RefitMaxAccepted { get; init; } = 2000;

    /// <summary>Most rows without a verdict (NoReference, ModelUnavailable, ModelMismatch) re-scored per reconciliation pass.</summary>
    public int ReconcileMaxRows { get; init; } = 500;

    public static DriftSettings FromConfiguration(IConfiguration config)
    {
        var d = new DriftSettings();
        string S(string key, string fallback) => string.IsNullOrWhiteSpace(config[key]) ? fallback : config[key]!.Trim();
        int I(string key, int fallback) => int.TryParse(config[key], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : fallback;
        double D(string key, double fallback) => double.TryParse(config[key], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : fallback;
        return new DriftSettings
        {
            ConnectionName = S("DriftConnectionName", d.ConnectionName),
            ImagesContainer = S(nameof(ImagesContainer), d.ImagesContainer),
            ReferenceContainer = S(nameof(ReferenceContainer), d.ReferenceContainer),
            ModelsContainer = S(nameof(ModelsContainer), d.ModelsContainer),
            ResultsTable = S(nameof(ResultsTable), d.ResultsTable),
            RefitSchedule = S(nameof(RefitSchedule), d.RefitSchedule),
            TargetFalseAlarmRate = D(nameof(TargetFalseAlarmRate), d.TargetFalseAlarmRate),
            KeepModelVersions = Math.Max(1, I(nameof(KeepModelVersions), d.KeepModelVersions)),
            RefitWindowDays = Math.Max(0, I(nameof(RefitWindowDays), d.RefitWindowDays)),
            BlobCreatedQueue = S(nameof(BlobCreatedQueue), d.BlobCreatedQueue),
            PartitionBuckets = Math.Clamp(I(nameof(PartitionBuckets), d.PartitionBuckets), 1, 100),
            MinImages = Math.Max(2, I(nameof(MinImages), d.MinImages)),
            RefitMaxAccepted = Math.Max(0, I(nameof(RefitMaxAccepted), d.RefitMaxAccepted)),
            ReconcileMaxRows = Math.Max(1, I(nameof(ReconcileMaxRows), d.ReconcileMaxRows)),
        };
    }
}
