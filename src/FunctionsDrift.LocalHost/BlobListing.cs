using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;

namespace FunctionsDrift.LocalHost;

/// <summary>
/// Lists a container page by page, around names Azurite cannot list. A blob name holding an XML-invalid control character
/// makes Azurite fail every listing page that would contain it (a 500 with no body), so a plain listing stops there and
/// the scanner would see no blob at all. Azurite's page marker is the last name returned (names after it come next), so a
/// failing page is retried with smaller pages until only the unlistable name is left, and a marker just past it is then
/// found by bisection, one character at a time (about 16 one-name listings per character before the bad one); the marker
/// is remembered, so later listings step over the name at once. Names that share the bad name's prefix followed by a
/// control character are skipped with it. Real Azure storage encodes such names and never fails this way.
/// </summary>
public sealed class BlobListing(ILogger log)
{
    private const int PageSize = 5000;
    private readonly ConcurrentDictionary<string, string> _skipAfter = new(StringComparer.Ordinal);

    /// <summary>Unlistable names stepped over so far (each counted once).</summary>
    public int Skipped => _skipAfter.Count;

    public async IAsyncEnumerable<IReadOnlyList<BlobItem>> PagesAsync(BlobContainerClient container, [EnumeratorCancellation] CancellationToken ct)
    {
        string? marker = null;
        int size = PageSize;
        while (true)
        {
            var page = await TryPageAsync(container, marker, size, ct);
            if (page is null)
            {
                if (size > 1)
                {
                    size = Math.Max(1, size / 8); // the failing name is somewhere in this page: narrow it down
                    continue;
                }
                var key = marker ?? "";
                if (!_skipAfter.TryGetValue(key, out var past))
                {
                    past = await FindMarkerPastAsync(container, marker, ct);
                    if (past is null)
                    {
                        log.LogError("Scanner: a blob after {Marker} cannot be listed and could not be stepped over; names after it are not seen", marker ?? "(start)");
                        yield break;
                    }
                    _skipAfter[key] = past;
                    log.LogError("Scanner: a blob name after {Marker} cannot be listed (an XML-invalid character); stepped over it (listing resumes after {Past}); rename or delete it",
                        marker ?? "(start)", past);
                }
                marker = past;
                size = PageSize;
                continue;
            }
            if (page.Values.Count > 0)
            {
                yield return page.Values;
            }
            if (string.IsNullOrEmpty(page.ContinuationToken))
            {
                yield break;
            }
            marker = page.ContinuationToken;
        }
    }

    /// <summary>One page, or null when the service failed to list it (as Azurite does for an unlistable name).</summary>
    private static async Task<Page<BlobItem>?> TryPageAsync(BlobContainerClient container, string? marker, int size, CancellationToken ct)
    {
        try
        {
            await foreach (var page in container.GetBlobsAsync(new GetBlobsOptions(), ct).AsPages(marker, size))
            {
                return page;
            }
            return null;
        }
        catch (Exception e) when (e is System.Xml.XmlException or RequestFailedException { Status: >= 500 })
        {
            return null;
        }
    }

    /// <summary>
    /// A listable marker past the unlistable name that follows <paramref name="after"/>: the name is found character by
    /// character (largest character c with "listing after prefix + c fails"), until its next character is a control
    /// character; prefix + ' ' then sorts after it and before any listable name.
    /// </summary>
    private static async Task<string?> FindMarkerPastAsync(BlobContainerClient container, string? after, CancellationToken ct)
    {
        // True while the candidate sorts before the bad name: the one name after it is still the bad one.
        async Task<bool> Before(string candidate) =>
            after is not null && string.CompareOrdinal(candidate, after) <= 0 || await TryPageAsync(container, candidate, 1, ct) is null;

        var prefix = "";
        for (int k = 0; k < 1024; k++)
        {
            if (!await Before(prefix + ' '))
            {
                return prefix + ' ';
            }
            int lo = ' ', hi = 0xFFFD;
            if (await Before(prefix + Char(hi)))
            {
                lo = hi;
            }
            while (hi - lo > 1)
            {
                int mid = (lo + hi) / 2;
                if (await Before(prefix + Char(mid))) lo = mid; else hi = mid;
            }
            prefix += Char(lo);
        }
        return null;
    }

    /// <summary>Code units that are valid XML on their own (surrogates are not): the range above them is used instead.</summary>
    private static char Char(int v) => (char)(v is >= 0xD800 and < 0xE000 ? 0xE000 : v);
}
