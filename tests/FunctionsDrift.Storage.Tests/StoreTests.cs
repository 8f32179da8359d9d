using System.Text.Json;
using FunctionsDrift.Core.Detectors;
using FunctionsDrift.Core.Embedding;
using FunctionsDrift.Core.Model;
using FunctionsDrift.Functions;

namespace FunctionsDrift.Storage.Tests;

public sealed class ResultKeysTests
{
    [Fact]
    public void ResultKeys_HostileNames_ValidDistinctKeys()
    {
        var keys = HostileNames.All.Select(ResultKeys.RowKey).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.All(keys, k => Assert.Matches("^[A-Za-z0-9_-]{43}$", k));
        var t = new DateTimeOffset(2026, 11, 28, 14, 5, 12, TimeSpan.Zero);
        Assert.Matches("^2026112814-0[0-3]$", ResultKeys.PartitionKey("x.jpg", t, 4));
        Assert.Equal(ResultKeys.PartitionKey("x.jpg", t, 4), ResultKeys.PartitionKey("x.jpg", t.AddMinutes(10), 4));
    }

    [Fact]
    public void FunctionsMetadata_HasBlobTimerAndHttpBindings()
    {
        var root = AzuriteFixture.RepoRoot();
        var path = Directory.GetFiles(Path.Combine(root, "src", "FunctionsDrift.Functions", "bin"), "functions.metadata", SearchOption.AllDirectories)
            .OrderByDescending(File.GetLastWriteTimeUtc).First();
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var functions = doc.RootElement.EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("bindings")[0]);
        var blob = functions["ScoreImage"];
        Assert.Equal("blobTrigger", blob.GetProperty("type").GetString());
        Assert.Equal("%ImagesContainer%/{name}", blob.GetProperty("path").GetString());
        Assert.Equal("EventGrid", blob.GetProperty("source").GetString());
        Assert.Equal("DriftStorage", blob.GetProperty("connection").GetString());
        var timer = functions["RefitReference"];
        Assert.Equal("timerTrigger", timer.GetProperty("type").GetString());
        Assert.Equal("%RefitSchedule%", timer.GetProperty("schedule").GetString());
        Assert.Equal("timerTrigger", functions["ReconcileResults"].GetProperty("type").GetString());
        foreach (var (name, route, method, auth) in new[] { ("Results", "results", "get", "Function"), ("Summary", "summary", "get", "Function"), ("Refit", "refit", "post", "Function"), ("Health", "health", "get", "Anonymous") })
        {
            var http = functions[name];
            Assert.Equal("httpTrigger", http.GetProperty("type").GetString());
            Assert.Equal(route, http.GetProperty("route").GetString());
            Assert.Equal(method, http.GetProperty("methods")[0].GetString());
            Assert.Equal(auth, http.GetProperty("authLevel").GetString());
        }
    }
}

[Collection(AzuriteCollection.Name)]
public sealed class StoreTests(AzuriteFixture azurite, EngineFixture engine)
{
    [Fact]
    public async Task RefitService_TooFewImages_SkipsThenFirstRunPublishes()
    {
        var env = new TestEnv(azurite, engine, "fit");
        await env.InitAsync();
        var refit = env.Refit();
        var skipped = await refit.RefitAsync(default);
        Assert.False(skipped.Published);
        Assert.Contains("skipped", skipped.Message);
        Assert.Null(await env.Models.GetCurrentAsync(default));

        await env.UploadReferenceAsync(24);
        var first = await refit.RefitAsync(default);
        Assert.True(first.Published, first.Message);
        var model = await env.Models.GetCurrentAsync(default);
        Assert.Equal(first.Version, model!.Version);
        Assert.Same(model, await env.Models.GetCurrentAsync(default)); // cached while the pointer's ETag is unchanged
    }

    [Fact]
    public async Task ScoringService_ReferenceOfOtherPrecision_ErrorRowSaysRefit()
    {
        var env = new TestEnv(azurite, engine, "prec");
        await env.InitAsync();
        // A reference published while the app embedded with the other precision than it does now.
        var other = EmbedderPrecisions.Default == EmbedderPrecision.Fp32 ? EmbedderPrecision.Int8 : EmbedderPrecision.Fp32;
        var otherIdentity = ModelManifest.Load(ModelManifest.PathFor(other)).Identity;
        Assert.NotEqual(otherIdentity, engine.Extractor.ModelIdentity);
        var features = Enumerable.Range(0, 24).Select(i => engine.Extractor.Extract(TestImages.Scene(100 + i))).ToList();
        Assert.True(await env.Models.PublishAsync(ReferenceFitter.Fit(features, otherIdentity), default));
        await env.Images.GetBlobClient("x/0.jpg").UploadAsync(BinaryData.FromBytes(TestImages.Scene(300)));
        var (outcome, row) = await env.Scoring().ScoreAsync("x/0.jpg", default);
        Assert.Equal(ScoreOutcome.Error, outcome);
        // Embeddings of the FP32 and INT8 networks differ slightly: a model fitted with one never scores the other's.
        Assert.Equal(ScoringService.ModelMismatchKind, row!.ErrorKind);
        Assert.Contains($"fitted on embedder '{otherIdentity}'", row.Error);
        Assert.Contains("refit", row.Error);
        Assert.Equal(0, env.Metric.Total);
    }

    [Fact]
    public async Task ModelStore_SwapsPointerAndPrunes()
    {
        var env = new TestEnv(azurite, engine, "mod");
        var features = Enumerable.Range(0, 24).Select(i => engine.Extractor.Extract(TestImages.Scene(100 + i))).ToList();
        var versions = new List<string>();
        for (int i = 0; i < 4; i++)
        {
            var m = ReferenceFitter.Fit(features, engine.Extractor.ModelIdentity, now: DateTimeOffset.UtcNow.AddMinutes(i));
            Assert.True(await env.Models.PublishAsync(m, default));
            versions.Add(m.Version);
            Assert.Equal(m.Version, (await env.Models.GetCurrentAsync(default))!.Version);
        }
        // An older version never replaces a newer pointer.
        var old = ReferenceFitter.Fit(features, engine.Extractor.ModelIdentity, now: DateTimeOffset.UtcNow.AddDays(-1));
        Assert.False(await env.Models.PublishAsync(old, default));
        Assert.Equal(versions[^1], (await env.Models.ReadPointerAsync(default)).Pointer!.Version);
        await env.Models.PruneAsync(2, default);
        Assert.Equal(versions.TakeLast(2), await env.Models.ListVersionsAsync(default));
    }

    [Fact]
    public async Task ScoringService_Redelivery_SameRowNotRescored_AndQueries()
    {
        var env = new TestEnv(azurite, engine, "idem");
        await env.InitAsync();
        await env.UploadReferenceAsync(24);
        await env.Refit().RefitAsync(default);
        var scoring = env.Scoring();
        for (int i = 0; i < 5; i++) await env.Images.GetBlobClient($"p/{i}.jpg").UploadAsync(BinaryData.FromBytes(TestImages.Scene(300 + i)));
        await env.Images.GetBlobClient("q/drift.jpg").UploadAsync(BinaryData.FromBytes(TestImages.Drifted(1, 2)));
        foreach (var name in new[] { "p/0.jpg", "p/1.jpg", "p/2.jpg", "p/3.jpg", "p/4.jpg", "q/drift.jpg" })
        {
            Assert.Equal(ScoreOutcome.Scored, (await scoring.ScoreAsync(name, default)).Outcome);
        }
        Assert.Equal(ScoreOutcome.AlreadyDone, (await scoring.ScoreAsync("p/0.jpg", default)).Outcome);
        Assert.Equal(6, (await env.AllRowsAsync()).Count);
        Assert.Equal(6, env.Metric.Total);

        // Queries: prefix, drift only, time range, paging.
        var prefix = await env.Results.QueryAsync(new ResultQuery { Prefix = "p/" }, default);
        Assert.Equal(5, prefix.Rows.Count);
        // Listed rows carry every registered detector's result, in the registry's order.
        Assert.All(prefix.Rows, r => Assert.Equal(DetectorKinds.All.Select(k => k.Name), r.Detectors.Select(d => d.Detector)));
        var drift = await env.Results.QueryAsync(new ResultQuery { DriftOnly = true }, default);
        Assert.Contains(drift.Rows, r => r.BlobName == "q/drift.jpg");
        Assert.Empty((await env.Results.QueryAsync(new ResultQuery { Until = DateTimeOffset.UtcNow.AddHours(-2) }, default)).Rows);
        Assert.Equal(6, (await env.Results.QueryAsync(new ResultQuery { Since = DateTimeOffset.UtcNow.AddHours(-1), Until = DateTimeOffset.UtcNow.AddMinutes(1) }, default)).Rows.Count);
        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = await env.Results.QueryAsync(new ResultQuery { PageSize = 2, Continuation = token }, default);
            seen.AddRange(page.Rows.Select(r => r.BlobName));
            token = page.Continuation;
        } while (token is not null);
        Assert.Equal(6, seen.Distinct().Count());
        var summary = await env.Results.SummaryAsync(null, null, byDay: true, default);
        Assert.Equal(6, Assert.Single(summary).Scored);

        // Stored features round-trip and are what a refit reuses.
        var full = await env.Results.QueryAsync(new ResultQuery { Prefix = "p/0", WithFeatures = true }, default);
        var f = full.Rows.Single().ToFeatures()!;
        var expected = engine.Extractor.Extract(TestImages.Scene(300));
        Assert.Equal(expected.Embedding.Length, f.Embedding.Length);
        Assert.All(expected.Embedding.Zip(f.Embedding), p => Assert.InRange(Math.Abs(p.First - p.Second), 0, 2e-3));
        Assert.Equal(expected.Hsv, f.Hsv);
    }

    [Fact]
    public async Task ScoringService_FirstDeliveryHint_RepeatedAnnouncementNotCountedTwice_StaleETagSkipped()
    {
        var env = new TestEnv(azurite, engine, "hint");
        await env.InitAsync();
        await env.UploadReferenceAsync(24);
        await env.Refit().RefitAsync(default);
        var scoring = env.Scoring();
        var blob = env.Images.GetBlobClient("h/0.jpg");
        var etag = (await blob.UploadAsync(BinaryData.FromBytes(TestImages.Scene(310)))).Value.ETag.ToString();
        var hint = new BlobHint(etag, 1, FirstDelivery: true);

        // Two announcements of the same blob and ETag, both first deliveries (as after a scanner crash): one verdict.
        var (first, row) = await scoring.ScoreAsync("h/0.jpg", hint, default);
        Assert.Equal(ScoreOutcome.Scored, first);
        Assert.Equal(etag, row!.BlobETag);
        Assert.Equal(ScoreOutcome.AlreadyDone, (await scoring.ScoreAsync("h/0.jpg", hint, default)).Outcome);
        // At the same time, too: serialised in-process, and the insert catches whatever slips through.
        var both = await Task.WhenAll(scoring.ScoreAsync("h/0.jpg", hint, default), scoring.ScoreAsync("h/0.jpg", hint with { FirstDelivery = false }, default));
        Assert.All(both, b => Assert.Equal(ScoreOutcome.AlreadyDone, b.Outcome));
        Assert.Equal(1, env.Metric.Total);

        // Overwritten: the old announcement finds a different ETag (412) and leaves it to the new one, which replaces the row.
        var etag2 = (await blob.UploadAsync(BinaryData.FromBytes(TestImages.Drifted(2, 2)), overwrite: true)).Value.ETag.ToString();
        Assert.Equal(ScoreOutcome.Missing, (await scoring.ScoreAsync("h/0.jpg", hint, default)).Outcome);
        var (second, row2) = await scoring.ScoreAsync("h/0.jpg", new BlobHint(etag2, 1, FirstDelivery: true), default);
        Assert.Equal(ScoreOutcome.Scored, second);
        var rows = await env.AllRowsAsync();
        Assert.Equal(etag2, Assert.Single(rows).BlobETag);
        Assert.True(Assert.Single(rows).Drift);
        Assert.Equal(2, env.Metric.Total);

        // A bad image on the fast path is an error row too.
        var bad = env.Images.GetBlobClient("h/bad.jpg");
        var badTag = (await bad.UploadAsync(BinaryData.FromString("not an image"))).Value.ETag.ToString();
        var (outcome, errorRow) = await scoring.ScoreAsync("h/bad.jpg", new BlobHint(badTag, 12, FirstDelivery: true), default);
        Assert.Equal(ScoreOutcome.Error, outcome);
        Assert.Equal("NotAnImage", errorRow!.ErrorKind);
    }

    [Fact]
    public async Task ModelStore_PointerCheckReused_OnlyWhenItCoversTheBlob()
    {
        var env = new TestEnv(azurite, engine, "fresh");
        await env.InitAsync();
        await env.UploadReferenceAsync(24);
        await env.Refit().RefitAsync(default);
        var v1 = (await env.Models.GetCurrentAsync(default))!.Version;
        long checks = env.Models.PointerChecks;

        // A blob written well before the last check, observed before it: the check is reused, no request.
        var old = DateTimeOffset.UtcNow.AddSeconds(-30);
        long observedBefore = System.Diagnostics.Stopwatch.GetTimestamp() - System.Diagnostics.Stopwatch.Frequency;
        Assert.Equal(v1, (await env.Models.GetCurrentForBlobAsync(old, observedBefore, default))!.Version);
        Assert.Equal(checks, env.Models.PointerChecks);

        // A blob observed after the check and written within the check's second: the pointer is checked again.
        long observedNow = System.Diagnostics.Stopwatch.GetTimestamp();
        Assert.Equal(v1, (await env.Models.GetCurrentForBlobAsync(DateTimeOffset.UtcNow, observedNow, default))!.Version);
        Assert.Equal(checks + 1, env.Models.PointerChecks);

        // A second version, fitted aside and then published by another process's store.
        var aside = new ModelStore(env.Clients.Blobs.GetBlobContainerClient(env.Settings.ModelsContainer + "-aside"));
        await new RefitService(env.Clients, env.Settings, engine.Extractor, aside, env.Results, Microsoft.Extensions.Logging.Abstractions.NullLogger<RefitService>.Instance).RefitAsync(default);
        var v2 = (await aside.GetCurrentAsync(default))!;
        Assert.NotEqual(v1, v2.Version);
        var other = new ModelStore(env.Clients.Blobs.GetBlobContainerClient(env.Settings.ModelsContainer));

        // Check, swap, upload, all within the reuse window: the blob written after the swap still gets the new version.
        Assert.Equal(v1, (await env.Models.GetCurrentAsync(default))!.Version);
        long observedBeforeSwap = System.Diagnostics.Stopwatch.GetTimestamp() - System.Diagnostics.Stopwatch.Frequency;
        Assert.True(await other.PublishAsync(v2, default));
        var uploaded = (await env.Images.GetBlobClient("after-swap.jpg").UploadAsync(BinaryData.FromBytes(TestImages.Scene(1)))).Value;
        Assert.Equal(v2.Version, (await env.Models.GetCurrentForBlobAsync(uploaded.LastModified, System.Diagnostics.Stopwatch.GetTimestamp(), default))!.Version);

        // A blob written long before, observed before the latest check, may use it; once the window passes it sees v2 too.
        var check = env.Models.PointerChecks;
        Assert.Equal(v2.Version, (await env.Models.GetCurrentForBlobAsync(old, observedBeforeSwap, default))!.Version);
        Assert.Equal(check, env.Models.PointerChecks);
        await Task.Delay(ModelStore.PointerCheckReuse + TimeSpan.FromMilliseconds(100));
        Assert.Equal(v2.Version, (await env.Models.GetCurrentForBlobAsync(old, observedBeforeSwap, default))!.Version);
        Assert.Equal(check + 1, env.Models.PointerChecks);
    }

    [Fact]
    public async Task FunctionClasses_CalledDirectly_ScoreAndRefit()
    {
        var env = new TestEnv(azurite, engine, "fn");
        await env.InitAsync();
        await env.UploadReferenceAsync(24);
        var refit = env.Refit();
        await new RefitReference(refit, env.Reconcile(env.Scoring()), Microsoft.Extensions.Logging.Abstractions.NullLogger<RefitReference>.Instance)
            .Run(new Microsoft.Azure.Functions.Worker.TimerInfo(), default);
        Assert.NotNull(await env.Models.GetCurrentAsync(default));
        var blob = env.Images.GetBlobClient("fn/one.jpg");
        await blob.UploadAsync(BinaryData.FromBytes(TestImages.Scene(77)));
        await new ScoreImage(env.Scoring()).Run(blob, default);
        var row = Assert.Single(await env.AllRowsAsync());
        Assert.Equal("fn/one.jpg", row.BlobName);
        Assert.Equal(ResultEntity.StatusOk, row.Status);
    }
}
