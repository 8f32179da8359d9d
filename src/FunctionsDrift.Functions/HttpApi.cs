using System.Globalization;
using System.Net;
using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Windows;
using FunctionsDrift.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace FunctionsDrift.Functions;

/// <summary>GET /api/results: time range (since, until: ISO 8601), driftOnly, errorsOnly, prefix, pageSize, continuation.</summary>
public sealed class Results(ResultsStore results)
{
    [Function(nameof(Results))]
    public async Task<HttpResponseData> Run([HttpTrigger(AuthorizationLevel.Function, "get", Route = "results")] HttpRequestData req, CancellationToken ct)
    {
        var q = System.Web.HttpUtility.ParseQueryString(req.Url.Query);
        ResultQuery query;
        try
        {
            query = new ResultQuery
            {
                Since = Time(q["since"]),
                Until = Time(q["until"]),
                DriftOnly = Flag(q["driftOnly"]),
                ErrorsOnly = Flag(q["errorsOnly"]),
                Prefix = q["prefix"],
                PageSize = PageSize(q["pageSize"]),
                Continuation = q["continuation"],
            };
        }
        catch (FormatException e)
        {
            return await Http.Json(req, HttpStatusCode.BadRequest, new { error = e.Message });
        }
        ResultPage page;
        try
        {
            page = await results.QueryAsync(query, ct);
        }
        catch (FormatException e)
        {
            return await Http.Json(req, HttpStatusCode.BadRequest, new { error = e.Message });
        }
        catch (Azure.RequestFailedException e) when (e.Status == 400 && query.Continuation is not null)
        {
            return await Http.Json(req, HttpStatusCode.BadRequest, new { error = $"continuation rejected by the table service: {e.ErrorCode}" });
        }
        return await Http.Json(req, HttpStatusCode.OK, new { items = page.Rows.Select(r => r.ToRow()), continuation = page.Continuation });
    }

    /// <summary>Rows per page: 100 when absent, otherwise an integer in [1, 1000].</summary>
    internal static int PageSize(string? s) => string.IsNullOrEmpty(s) ? 100
        : int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 1000 ? n
        : throw new FormatException($"pageSize must be an integer in [1, 1000], not '{s}'");

    internal static DateTimeOffset? Time(string? s) => string.IsNullOrEmpty(s) ? null
        : DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : throw new FormatException($"not a time: {s}");

    internal static bool Flag(string? s) => s is not null && (s == "" || s.Equals("true", StringComparison.OrdinalIgnoreCase) || s == "1");
}

/// <summary>
/// GET /api/summary: counts and drift rate per hour (default) or day (<c>?period=day</c>; <c>?by=day</c> is accepted as a synonym), optional
/// since/until. With <c>?windows=true</c> the body becomes <c>{ periods, windows }</c>: <c>windows</c> adds window-level drift
/// (MMD² and per-channel distances, each window ranked among the current reference's own windows of its size; flagged rate with a
/// Wilson 95 % CI) per period, or per chunk of <c>windowSize</c> images. Without it the reply is the plain array.
/// </summary>
public sealed class Summary(ResultsStore results, WindowSummaryService windows)
{
    [Function(nameof(Summary))]
    public async Task<HttpResponseData> Run([HttpTrigger(AuthorizationLevel.Function, "get", Route = "summary")] HttpRequestData req, CancellationToken ct)
    {
        SummaryQuery query;
        try
        {
            query = SummaryQuery.Parse(System.Web.HttpUtility.ParseQueryString(req.Url.Query));
        }
        catch (FormatException e)
        {
            return await Http.Json(req, HttpStatusCode.BadRequest, new { error = e.Message });
        }
        var rows = await results.SummaryAsync(query.Since, query.Until, query.ByDay, ct);
        var periods = rows.Select(r => new { r.Period, r.Scored, r.Drift, r.Errors, r.DriftRate });
        if (query.Windows is null)
        {
            return await Http.Json(req, HttpStatusCode.OK, periods);
        }
        try
        {
            return await Http.Json(req, HttpStatusCode.OK, new { periods, windows = await windows.RunAsync(query.Windows, ct) });
        }
        catch (WindowSummaryRequestException e)
        {
            return await Http.Json(req, HttpStatusCode.BadRequest, new { error = e.Message });
        }
        catch (WindowSummaryException e)
        {
            return await Http.Json(req, HttpStatusCode.Conflict, new { error = e.Message });
        }
    }
}

/// <summary>The query string of GET /api/summary.</summary>
internal sealed record SummaryQuery(DateTimeOffset? Since, DateTimeOffset? Until, bool ByDay, WindowSummaryRequest? Windows)
{
    public static SummaryQuery Parse(System.Collections.Specialized.NameValueCollection q)
    {
        var period = q["period"] ?? (string.Equals(q["by"], "day", StringComparison.OrdinalIgnoreCase) ? "day" : "hour");
        bool byDay = period.ToLowerInvariant() switch
        {
            "hour" => false,
            "day" => true,
            _ => throw new FormatException($"period must be hour or day, not '{period}'"),
        };
        DateTimeOffset? since = Results.Time(q["since"]), until = Results.Time(q["until"]);
        if (!Results.Flag(q["windows"]))
        {
            return new SummaryQuery(since, until, byDay, null);
        }
        var request = new WindowSummaryRequest
        {
            Since = since,
            Until = until,
            Period = byDay ? WindowPeriod.Day : WindowPeriod.Hour,
            WindowSize = Int(q, "windowSize"),
            Seed = Int(q, "seed") ?? new WindowSummaryRequest().Seed,
            Alpha = q["alpha"] is { Length: > 0 } a
                ? double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var alpha) ? alpha : throw new FormatException($"alpha must be a number, not '{a}'")
                : WindowOptions.Defaults.Alpha,
        };
        if (q["permutations"] is not null)
        {
            throw new FormatException("permutations is not a parameter: windows are ranked among the reference's own windows, no permutations are drawn");
        }
        return new SummaryQuery(since, until, byDay, request);
    }

    /// <summary>Parses only; the bounds are <see cref="WindowSummaryRequest.Validate"/>'s, checked by the service.</summary>
    private static int? Int(System.Collections.Specialized.NameValueCollection q, string name)
    {
        var s = q[name];
        if (string.IsNullOrEmpty(s)) return null;
        return int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
            ? v : throw new FormatException($"{name} must be an integer, not '{s}'");
    }
}

/// <summary>
/// POST /api/refit (function key): refit now. 200 published, 409 skipped (too few images), 202 at once with the running
/// refit's id when one is already running (in any instance).
/// </summary>
public sealed class Refit(RefitService refit)
{
    [Function(nameof(Refit))]
    public async Task<HttpResponseData> Run([HttpTrigger(AuthorizationLevel.Function, "post", Route = "refit")] HttpRequestData req, CancellationToken ct)
    {
        var outcome = await refit.RefitAsync(ct);
        var status = outcome.AlreadyRunning ? HttpStatusCode.Accepted : outcome.Published ? HttpStatusCode.OK : HttpStatusCode.Conflict;
        return await Http.Json(req, status, outcome);
    }
}

/// <summary>
/// GET /api/health (anonymous): 200 with the current reference version when scoring can use it; 503 naming the problem when
/// none is published, when the version the pointer names cannot be loaded, or when it was fitted on another embedder.
/// </summary>
public sealed class Health(ModelStore models, FeatureExtractor extractor)
{
    [Function(nameof(Health))]
    public async Task<HttpResponseData> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequestData req, CancellationToken ct)
    {
        var (pointer, _) = await models.ReadPointerAsync(ct);
        if (pointer is null)
        {
            return await Http.Json(req, HttpStatusCode.ServiceUnavailable, new { status = "no reference model" });
        }
        try
        {
            var model = await models.GetCurrentAsync(ct);
            if (model is not null && model.ModelIdentity != extractor.ModelIdentity)
            {
                return await Http.Json(req, HttpStatusCode.ServiceUnavailable, new
                {
                    status = "model mismatch",
                    errorKind = ScoringService.ModelMismatchKind,
                    referenceVersion = model.Version,
                    error = ScoringService.MismatchMessage(model.Version, model.ModelIdentity, extractor.ModelIdentity),
                });
            }
        }
        catch (ModelUnavailableException e)
        {
            return await Http.Json(req, HttpStatusCode.ServiceUnavailable, new
            {
                status = "model unavailable",
                errorKind = ScoringService.ModelUnavailableKind,
                referenceVersion = e.Version,
                error = e.Message,
            });
        }
        return await Http.Json(req, HttpStatusCode.OK, new { status = "ok", referenceVersion = pointer.Version, pointer.PublishedUtc, pointer.ImageCount });
    }
}

internal static class Http
{
    public static async Task<HttpResponseData> Json<T>(HttpRequestData req, HttpStatusCode status, T body)
    {
        var response = req.CreateResponse();
        await response.WriteAsJsonAsync(body);
        response.StatusCode = status;
        return response;
    }
}
