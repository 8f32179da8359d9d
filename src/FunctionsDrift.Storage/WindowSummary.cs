namespace FunctionsDrift.Storage;

/// <summary>Window-level drift over a time range of the results table, against the current reference version.</summary>
/// <param name="ReferenceSource"><c>stored</c> (the refit's saved features) or <c>re-extracted</c> (reference container).</param>
/// <param name="SkippedRows">Ok rows without usable features (missing, or an embedding of another size than the reference's).</param>
/// <param name="Null">How windows are judged: against the reference's own windows, with the smallest p-value they allow.</param>
/// <param name="Note">What a flag means and what the test assumes, for whoever reads the output.</param>
public sealed record WindowSummary(
    string ReferenceVersion,
    string ReferenceSource,
    int ReferenceImages,
    bool Embeddings,
    DateTimeOffset Since,
    DateTimeOffset Until,
    string Windowing,
    double Alpha,
    int Seed,
    int Rows,
    int SkippedRows,
    IReadOnlyList<WindowSummaryRow> Windows,
    string Null,
    string Note);
