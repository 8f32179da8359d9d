using Azure;
using Azure.Data.Tables;

namespace FunctionsDrift.Storage;

/// <summary>A query of the results table.</summary>
public sealed record ResultQuery
{
    /// <summary>Blob time (last-modified, UTC) at or after; hour resolution on the key, exact on the property.</summary>
    public DateTimeOffset? Since { get; init; }
    /// <summary>Blob time before.</summary>
    public DateTimeOffset? Until { get; init; }
    public bool DriftOnly { get; init; }
    public bool ErrorsOnly { get; init; }
    /// <summary>Blob name prefix.</summary>
    public string? Prefix { get; init; }
    /// <summary>Rows per page (1–1000).</summary>
    public int PageSize { get; init; } = 100;
    /// <summary>Continuation token from the previous page.</summary>
    public string? Continuation { get; init; }
    /// <summary>Include the stored feature arrays.</summary>
    public bool WithFeatures { get; init; }
}

public sealed record ResultPage(IReadOnlyList<ResultEntity> Rows, string? Continuation);

/// <summary>Counts for one hour or day.</summary>
public sealed record SummaryRow(string Period, int Scored, int Drift, int Errors)
{
    public double DriftRate => Scored == 0 ? 0 : (double)Drift / Scored;
}

/// <summary>The results table: upserts from the scorer, queries and summaries for HTTP and the CLI. Thread-safe.</summary>
public sealed class ResultsStore(TableClient table, DriftSettings settings)
{
    private static readonly string[] ListColumns =
    [
        nameof(ResultEntity.PartitionKey), nameof(ResultEntity.RowKey), nameof(ResultEntity.Timestamp),
        nameof(ResultEntity.BlobName), nameof(ResultEntity.BlobUrl), nameof(ResultEntity.BlobETag), nameof(ResultEntity.BlobLastModified),
        nameof(ResultEntity.ScoredAt), nameof(ResultEntity.Status), nameof(ResultEntity.Error), nameof(ResultEntity.ErrorKind),
        nameof(ResultEntity.ReferenceVersion), nameof(ResultEntity.Drift), nameof(ResultEntity.FusedP), nameof(ResultEntity.Reasons),
        nameof(ResultEntity.Width), nameof(ResultEntity.Height), nameof(ResultEntity.ScoreMs), nameof(ResultEntity.DetectorsJson),
    ];

    public TableClient Table => table;

    public Task EnsureCreatedAsync(CancellationToken ct) => table.CreateIfNotExistsAsync(ct);

    public string PartitionKeyFor(string blobName, DateTimeOffset lastModified) =>
        ResultKeys.PartitionKey(blobName, lastModified, settings.PartitionBuckets);

    public async Task UpsertAsync(ResultEntity entity, CancellationToken ct) =>
        await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, ct);

    public async Task<ResultEntity?> GetAsync(string blobName, DateTimeOffset lastModified, CancellationToken ct)
    {
        var response = await table.GetEntityIfExistsAsync<ResultEntity>(PartitionKeyFor(blobName, lastModified), ResultKeys.RowKey(blobName), cancellationToken: ct);
        return response.HasValue ? response.Value : null;
    }

    public string BuildFilter(ResultQuery q)
    {
        var parts = new List<string>();
        if (q.Since is { } since)
        {
            parts.Add(TableClient.CreateQueryFilter($"PartitionKey ge {ResultKeys.LowerBound(since)}"));
            parts.Add(TableClient.CreateQueryFilter($"BlobLastModified ge {since.ToUniversalTime()}"));
        }
        if (q.Until is { } until)
        {
            parts.Add(TableClient.CreateQueryFilter($"PartitionKey lt {ResultKeys.UpperBound(until)}"));
            parts.Add(TableClient.CreateQueryFilter($"BlobLastModified lt {until.ToUniversalTime()}"));
        }
        if (q.DriftOnly)
        {
            parts.Add("Drift eq true");
        }
        if (q.ErrorsOnly)
        {
            parts.Add(TableClient.CreateQueryFilter($"Status eq {ResultEntity.StatusError}"));
        }
        if (!string.IsNullOrEmpty(q.Prefix))
        {
            parts.Add(TableClient.CreateQueryFilter($"BlobName ge {q.Prefix}"));
            parts.Add(TableClient.CreateQueryFilter($"BlobName lt {q.Prefix + '\uffff'}"));
        }
        return parts.Count == 0 ? "" : string.Join(" and ", parts.Select(p => $"({p})"));
    }

    /// <summary>One page of results; pass <see cref="ResultPage.Continuation"/> back for the next.</summary>
    public async Task<ResultPage> QueryAsync(ResultQuery q, CancellationToken ct)
    {
        var filter = BuildFilter(q);
        int size = Math.Clamp(q.PageSize, 1, 1000);
        var pages = table.QueryAsync<ResultEntity>(string.IsNullOrEmpty(filter) ? null : filter, size, q.WithFeatures ? null : ListColumns, ct)
            .AsPages(string.IsNullOrEmpty(q.Continuation) ? null : DecodeContinuation(q.Continuation), size);
        await foreach (var page in pages)
        {
            // The service may return fewer rows than asked (or none) with a token; callers just follow the token.
            return new ResultPage(page.Values, page.ContinuationToken is { } next ? EncodeContinuation(next) : null);
        }
        return new ResultPage([], null);
    }

    private const string ContinuationPrefix = "c1.";

    /// <summary>
    /// Page tokens wrap the table's own (next partition and row key) so that a malformed token is recognised here: the
    /// service would otherwise take any string as a starting key and answer with some page.
    /// </summary>
    public static string EncodeContinuation(string tableToken) =>
        ContinuationPrefix + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(tableToken)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The table's token inside <paramref name="token"/>; <see cref="FormatException"/> when it is not one of ours.</summary>
    public static string DecodeContinuation(string token)
    {
        var bad = new FormatException($"continuation is not a token returned by this API: '{(token.Length > 80 ? token[..80] + "…" : token)}'");
        if (!token.StartsWith(ContinuationPrefix, StringComparison.Ordinal)) throw bad;
        var b64 = token[ContinuationPrefix.Length..].Replace('-', '+').Replace('_', '/');
        b64 += new string('=', (4 - b64.Length % 4) % 4);
        try
        {
            var inner = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(b64));
            return inner.Split(' ') is [{ Length: > 0 }, _] ? inner : throw bad;
        }
        catch (FormatException)
        {
            throw bad;
        }
    }

    /// <summary>All rows matching <paramref name="q"/>, following continuation tokens.</summary>
    public async IAsyncEnumerable<ResultEntity> QueryAllAsync(ResultQuery q, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var filter = BuildFilter(q);
        await foreach (var e in table.QueryAsync<ResultEntity>(string.IsNullOrEmpty(filter) ? null : filter, 1000, q.WithFeatures ? null : ListColumns, ct))
        {
            yield return e;
        }
    }

    /// <summary>Counts per hour (or day) of blob time: scored, drift, errors.</summary>
    public async Task<IReadOnlyList<SummaryRow>> SummaryAsync(DateTimeOffset? since, DateTimeOffset? until, bool byDay, CancellationToken ct)
    {
        var rows = new SortedDictionary<string, (int Scored, int Drift, int Errors)>(StringComparer.Ordinal);
        var q = new ResultQuery { Since = since, Until = until };
        var filter = BuildFilter(q);
        string[] columns = [nameof(ResultEntity.PartitionKey), nameof(ResultEntity.Status), nameof(ResultEntity.Drift)];
        await foreach (var e in table.QueryAsync<TableEntity>(string.IsNullOrEmpty(filter) ? null : filter, 1000, columns, ct))
        {
            var key = e.PartitionKey[..(byDay ? 8 : 10)];
            rows.TryGetValue(key, out var c);
            bool ok = e.GetString(nameof(ResultEntity.Status)) == ResultEntity.StatusOk;
            c = (c.Scored + (ok ? 1 : 0), c.Drift + (ok && e.GetBoolean(nameof(ResultEntity.Drift)) == true ? 1 : 0), c.Errors + (ok ? 0 : 1));
            rows[key] = c;
        }
        return rows.Select(kv => new SummaryRow(FormatPeriod(kv.Key), kv.Value.Scored, kv.Value.Drift, kv.Value.Errors)).ToList();
    }

    private static string FormatPeriod(string key) => key.Length == 8
        ? $"{key[..4]}-{key[4..6]}-{key[6..8]}"
        : $"{key[..4]}-{key[4..6]}-{key[6..8]}T{key[8..10]}:00Z";

    /// <summary>
    /// At most <paramref name="max"/> accepted (ok, not flagged) rows since <paramref name="since"/> scored with
    /// <paramref name="embedderIdentity"/>, with their features, spread evenly over the window (every k-th row in table
    /// order, which is hour order), oldest first.
    /// </summary>
    /// <remarks>
    /// Memory and transfer stay bounded whatever the window holds: one pass counts the rows (one-column projection), a second
    /// keeps the keys of every k-th row (two columns, one page of at most 1000 in memory), and only those rows are read with
    /// the columns a refit needs (point reads, four at a time).
    /// </remarks>
    public async Task<List<ResultEntity>> AcceptedSinceAsync(DateTimeOffset since, int max, string embedderIdentity, CancellationToken ct)
    {
        var list = new List<ResultEntity>();
        if (max <= 0) return list;
        var filter = $"({BuildFilter(new ResultQuery { Since = since })}) and (Drift eq false) and ({TableClient.CreateQueryFilter($"Status eq {ResultEntity.StatusOk}")})"
            + $" and ({TableClient.CreateQueryFilter($"EmbedderIdentity eq {embedderIdentity}")})";
        long count = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(filter, 1000, [nameof(ResultEntity.PartitionKey)], ct))
        {
            count++;
        }
        double stride = Math.Max(1.0, (double)count / max);
        double next = 0;
        long index = 0;
        var keys = new List<(string PartitionKey, string RowKey)>(max);
        await foreach (var e in table.QueryAsync<TableEntity>(filter, 1000, [nameof(ResultEntity.PartitionKey), nameof(ResultEntity.RowKey)], ct))
        {
            if (index++ < next) continue;
            keys.Add((e.PartitionKey, e.RowKey));
            next += stride;
            if (keys.Count >= max) break;
        }
        var rows = new ResultEntity?[keys.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, keys.Count), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (i, token) =>
        {
            var response = await table.GetEntityIfExistsAsync<ResultEntity>(keys[i].PartitionKey, keys[i].RowKey, RefitColumns, token);
            rows[i] = response.HasValue ? response.Value : null; // rescored or deleted since the listing: skipped
        });
        list.AddRange(rows.Where(r => r is { Status: ResultEntity.StatusOk, Drift: false }).Select(r => r!));
        list.Sort((a, b) => a.BlobLastModified.CompareTo(b.BlobLastModified));
        return list;
    }

    /// <summary>What a refit reads from an accepted row: its time, embedder and features.</summary>
    private static readonly string[] RefitColumns =
    [
        nameof(ResultEntity.PartitionKey), nameof(ResultEntity.RowKey), nameof(ResultEntity.BlobName), nameof(ResultEntity.BlobLastModified),
        nameof(ResultEntity.Status), nameof(ResultEntity.Drift), nameof(ResultEntity.EmbedderIdentity), nameof(ResultEntity.Width), nameof(ResultEntity.Height),
        nameof(ResultEntity.Embedding), nameof(ResultEntity.Hsv), nameof(ResultEntity.Quality), nameof(ResultEntity.Patch), nameof(ResultEntity.PatchCount), nameof(ResultEntity.Edges),
    ];

    /// <summary>
    /// Ok rows of a time range with what window tests need (blob time, verdict, embedding, HSV, quality; no patch features),
    /// in table order, following continuation tokens.
    /// </summary>
    public async IAsyncEnumerable<ResultEntity> OkWithWindowFeaturesAsync(DateTimeOffset? since, DateTimeOffset? until,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var range = BuildFilter(new ResultQuery { Since = since, Until = until });
        var ok = TableClient.CreateQueryFilter($"Status eq {ResultEntity.StatusOk}");
        var filter = string.IsNullOrEmpty(range) ? ok : $"({range}) and ({ok})";
        string[] columns =
        [
            nameof(ResultEntity.PartitionKey), nameof(ResultEntity.RowKey), nameof(ResultEntity.BlobName), nameof(ResultEntity.BlobLastModified),
            nameof(ResultEntity.ScoredAt), nameof(ResultEntity.Status), nameof(ResultEntity.ReferenceVersion), nameof(ResultEntity.Drift),
            nameof(ResultEntity.Width), nameof(ResultEntity.Height), nameof(ResultEntity.Embedding), nameof(ResultEntity.Hsv), nameof(ResultEntity.Quality),
        ];
        await foreach (var e in table.QueryAsync<ResultEntity>(filter, 1000, columns, ct))
        {
            yield return e;
        }
    }

    public static bool IsTransient(RequestFailedException e) => e.Status is 0 or 408 or 429 or >= 500;
}
