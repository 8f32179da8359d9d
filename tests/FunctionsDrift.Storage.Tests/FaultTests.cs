using System.Collections.Concurrent;
using Azure.Data.Tables;
using FunctionsDrift.Core.Model;
using FunctionsDrift.Functions;
using FunctionsDrift.LocalHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FunctionsDrift.Storage.Tests;

/// <summary>Faults and hostile input on the storage side: each test names what it proves.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class FaultTests(AzuriteFixture azurite, EngineFixture engine)
{
    private static async Task<TestEnv> WithModelAsync(AzuriteFixture azurite, EngineFixture engine, string name)
    {
        var env = new TestEnv(azurite, engine, name);
        await env.InitAsync();
        await env.UploadReferenceAsync(24);
        Assert.True((await env.Refit().RefitAsync(default)).Published);
        return env;
    }

    private static async Task<string> UploadAsync(TestEnv env, string name, byte[] bytes) =>
        (await env.Images.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(bytes), overwrite: true)).Value.ETag.ToString();

    [Fact]
    public async Task HostFunctions_ForeignAndMalformedEvents_AreDroppedAlone_TheGoodEventIsScored()
    {
        var env = await WithModelAsync(azurite, engine, "evt");
        var etag = await UploadAsync(env, "e/good.jpg", TestImages.Scene(4100));
        await UploadAsync(env, "e/other.jpg", TestImages.Scene(4101));
        var account = env.Clients.Blobs.AccountName;
        var url = env.Images.GetBlobClient("e/good.jpg").Uri;
        var good = BlobCreatedEvent.Create(account, env.Settings.ImagesContainer, "e/good.jpg", etag, 10, url);
        var otherContainer = BlobCreatedEvent.Create(account, env.Settings.ReferenceContainer, "frame-0000.jpg", "x", 10, url);
        var otherAccount = BlobCreatedEvent.Create("someoneelse", env.Settings.ImagesContainer, "e/other.jpg", "x", 10, url);
        var malformed = BlobCreatedEvent.Create(account, env.Settings.ImagesContainer, "e/good.jpg", etag, 10, url);
        malformed.Subject = "/not/a/blob/subject";
        var message = "[" + string.Join(',', new[] { malformed, otherContainer, good, otherAccount }.Select(e => e.ToJson())) + "]";

        var scoring = env.Scoring();
        var functions = new HostFunctions(scoring, env.Refit(), env.Reconcile(scoring), await env.ScannerAsync(new LocalHostOptions()), env.Clients, env.Settings,
            NullLogger<HostFunctions>.Instance);
        await functions.ScoreImage(message, 1, default);
        await functions.ScoreImage("{ this is not json", 1, default);
        await functions.ScoreImage("[]", 1, default);

        var row = Assert.Single(await env.AllRowsAsync());
        Assert.Equal("e/good.jpg", row.BlobName);
        Assert.Equal(ResultEntity.StatusOk, row.Status);
    }

    /// <summary>Points current.json at <paramref name="path"/> (an old version name, as after a schema bump on deploy).</summary>
    private static async Task PointAtAsync(TestEnv env, string version, string path) =>
        await env.Clients.Blobs.GetBlobContainerClient(env.Settings.ModelsContainer).GetBlobClient(ModelStore.PointerName).UploadAsync(
            BinaryData.FromObjectAsJson(new ModelPointer(version, path, DateTimeOffset.UtcNow, 24), new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)),
            overwrite: true);

    [Fact]
    public async Task ScoringService_UnloadableModel_ErrorRowsNotThrows_FailureCached_Health503_RefitRecovers()
    {
        var env = new TestEnv(azurite, engine, "unavail");
        await env.InitAsync();
        await env.UploadReferenceAsync(24);
        await PointAtAsync(env, "20000101T000000Z-missing", ModelStore.VersionPath("20000101T000000Z-missing"));
        for (int i = 0; i < 3; i++) await UploadAsync(env, $"u/{i}.jpg", TestImages.Scene(4200 + i));
        var scoring = env.Scoring();
        var health = new Health(env.Models, engine.Extractor);

        // Missing version: an error row for each blob, no throw, and the model is not downloaded again for every blob.
        for (int i = 0; i < 2; i++)
        {
            var (outcome, row) = await scoring.ScoreAsync($"u/{i}.jpg", default);
            Assert.Equal(ScoreOutcome.Error, outcome);
            Assert.Equal(ScoringService.ModelUnavailableKind, row!.ErrorKind);
            Assert.Contains("20000101T000000Z-missing", row.Error);
        }
        Assert.Equal(1, env.Models.ModelDownloads);
        var (status, body) = await FakeHttp.InvokeAsync(r => health.Run(r, default), "http://localhost/api/health");
        Assert.Equal(503, status);
        Assert.Equal(ScoringService.ModelUnavailableKind, body.RootElement.GetProperty("errorKind").GetString());
        Assert.Contains("missing", body.RootElement.GetProperty("error").GetString());

        // A corrupt version (another schema, here garbage) behind a moved pointer: tried at once, same kind of row.
        await env.Clients.Blobs.GetBlobContainerClient(env.Settings.ModelsContainer).GetBlobClient(ModelStore.VersionPath("20000102T000000Z-corrupt"))
            .UploadAsync(BinaryData.FromString("FDRIFTM\0 not a model at all, but long enough to have a trailer of 32 bytes"));
        await PointAtAsync(env, "20000102T000000Z-corrupt", ModelStore.VersionPath("20000102T000000Z-corrupt"));
        await Task.Delay(ModelStore.PointerCheckReuse);
        var (o2, r2) = await scoring.ScoreAsync("u/2.jpg", default);
        Assert.Equal(ScoreOutcome.Error, o2);
        Assert.Equal(ScoringService.ModelUnavailableKind, r2!.ErrorKind);
        Assert.Contains("cannot be loaded", r2.Error);
        Assert.Equal(2, env.Models.ModelDownloads);

        // A refit publishes a good version: health is ok again, and the error rows are not final (re-scoring replaces them).
        Assert.True((await env.Refit().RefitAsync(default)).Published);
        await Task.Delay(ModelStore.PointerCheckReuse);
        (status, _) = await FakeHttp.InvokeAsync(r => health.Run(r, default), "http://localhost/api/health");
        Assert.Equal(200, status);
        var (o3, r3) = await scoring.ScoreAsync("u/0.jpg", default);
        Assert.Equal(ScoreOutcome.Scored, o3);
        Assert.Equal(ResultEntity.StatusOk, r3!.Status);
    }

    [Fact]
    public async Task ScoringService_ModelOfAnotherEmbedder_ErrorRowAndHealth503_RefitIgnoresRowsOfOtherEmbedders()
    {
        var env = new TestEnv(azurite, engine, "ident");
        await env.InitAsync();
        var features = Enumerable.Range(0, 24).Select(i => engine.Extractor.Extract(TestImages.Scene(1000 + i))).ToList();
        // Same features, same length, another identity: what a model fitted before an embedder change looks like.
        var foreign = ReferenceFitter.Fit(features, engine.Extractor.ModelIdentity + "-previous", now: DateTimeOffset.UtcNow.AddHours(-1));
        Assert.True(await env.Models.PublishAsync(foreign, default));
        await UploadAsync(env, "i/0.jpg", TestImages.Scene(4300));

        var (outcome, row) = await env.Scoring().ScoreAsync("i/0.jpg", default);
        Assert.Equal(ScoreOutcome.Error, outcome);
        Assert.Equal(ScoringService.ModelMismatchKind, row!.ErrorKind);
        Assert.Contains(engine.Extractor.ModelIdentity + "-previous", row.Error);
        var (status, body) = await FakeHttp.InvokeAsync(r => new Health(env.Models, engine.Extractor).Run(r, default), "http://localhost/api/health");
        Assert.Equal(503, status);
        Assert.Equal(ScoringService.ModelMismatchKind, body.RootElement.GetProperty("errorKind").GetString());

        // Accepted rows of the window: 30 from another embedder (same length), 5 from this one. The refit takes only the 5.
        var now = DateTimeOffset.UtcNow;
        var rows = new List<ResultEntity>();
        for (int i = 0; i < 35; i++)
        {
            var name = $"acc/{i:00}.jpg";
            var r = new ResultEntity
            {
                PartitionKey = env.Results.PartitionKeyFor(name, now), RowKey = ResultKeys.RowKey(name), BlobName = name, BlobLastModified = now,
                Status = ResultEntity.StatusOk, EmbedderIdentity = i < 30 ? "another-embedder" : engine.Extractor.ModelIdentity,
            };
            var f = features[i % features.Count];
            r.StoreFeatures(f);
            rows.Add(r);
        }
        foreach (var r in rows) await env.Results.UpsertAsync(r, default);
        await env.UploadReferenceAsync(24);
        var refit = new RefitService(env.Clients, env.Settings with { RefitWindowDays = 1 }, engine.Extractor, env.Models, env.Results, NullLogger<RefitService>.Instance);
        var outcome2 = await refit.RefitAsync(default);
        Assert.True(outcome2.Published, outcome2.Message);
        Assert.Equal(24, outcome2.ReferenceImages);
        Assert.Equal(5, outcome2.AcceptedImages);
    }

    [Fact]
    public async Task RefitService_OversizedAndVanishedReferenceBlobs_SkippedWithWarning_RefitStillPublished()
    {
        var env = new TestEnv(azurite, engine, "refcap");
        await env.InitAsync();
        await env.UploadReferenceAsync(24);
        await env.Reference.GetBlobClient("huge.jpg").UploadAsync(BinaryData.FromBytes(new byte[ScoringService.MaxBlobBytes + 1]));
        await env.Reference.GetBlobClient("zz-vanishing.jpg").UploadAsync(BinaryData.FromBytes(TestImages.Scene(4400)));
        // Deleted between the listing and the download: the test's logger deletes it when the refit reports its listing.
        var logger = new RecordingLogger<RefitService>(message =>
        {
            if (message.StartsWith("Refit: 25 reference images listed", StringComparison.Ordinal))
            {
                env.Reference.GetBlobClient("zz-vanishing.jpg").DeleteIfExists();
            }
        });
        var outcome = await new RefitService(env.Clients, env.Settings, engine.Extractor, env.Models, env.Results, logger).RefitAsync(default);

        Assert.True(outcome.Published, outcome.Message);
        Assert.Equal(24, outcome.ReferenceImages);
        Assert.Contains(logger.Messages, m => m.Contains("huge.jpg") && m.Contains("more than"));
        Assert.Contains(logger.Messages, m => m.Contains("zz-vanishing.jpg") && m.Contains("deleted or replaced"));
    }

    [Fact]
    public async Task ResultsStore_AcceptedSince_10000Rows_Max100_EvenlySpreadAndOnlyRefitColumns()
    {
        var env = new TestEnv(azurite, engine, "accept");
        await env.InitAsync();
        var identity = engine.Extractor.ModelIdentity;
        var start = DateTimeOffset.UtcNow.AddHours(-20);
        var embedding = ResultEntity.Pack(new float[512]);
        var rows = Enumerable.Range(0, 10_000).Select(i =>
        {
            var name = $"a/{i:00000}.jpg";
            var t = start.AddSeconds(i * 7); // 10 000 rows over about 19.4 hours
            return new ResultEntity
            {
                PartitionKey = env.Results.PartitionKeyFor(name, t), RowKey = ResultKeys.RowKey(name), BlobName = name, BlobLastModified = t,
                Status = ResultEntity.StatusOk, Drift = i % 50 == 0, EmbedderIdentity = identity, Reasons = new string('r', 500),
                DetectorsJson = new string('d', 2000), Embedding = embedding, Hsv = ResultEntity.Pack([i]), Quality = [], Patch = [],
            };
        }).ToList();
        await Parallel.ForEachAsync(rows.GroupBy(r => r.PartitionKey).SelectMany(g => g.Chunk(100)), new ParallelOptions { MaxDegreeOfParallelism = 4 },
            async (chunk, ct) => await env.Results.Table.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)), ct));

        long before = GC.GetTotalAllocatedBytes(precise: true);
        var picked = await env.Results.AcceptedSinceAsync(start.AddMinutes(-1), 100, identity, default);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal(100, picked.Count);
        Assert.All(picked, r => Assert.False(r.Drift));
        Assert.All(picked, r => Assert.Null(r.DetectorsJson)); // projected: only the columns a refit needs
        Assert.All(picked, r => Assert.Null(r.Reasons));
        // Evenly over the window: the earliest and latest hour are both represented, and no gap is more than twice the stride.
        var times = picked.Select(r => r.BlobLastModified).Order().ToList();
        Assert.True(times[0] < start.AddHours(1), $"first {times[0]}");
        Assert.True(times[^1] > start.AddHours(18.4), $"last {times[^1]}");
        var maxGap = times.Zip(times.Skip(1), (a, b) => b - a).Max();
        Assert.True(maxGap < TimeSpan.FromHours(19.4 / 100 * 2 + 1), $"largest gap {maxGap}");
        Assert.Empty(await env.Results.AcceptedSinceAsync(start.AddMinutes(-1), 100, "another-embedder", default));
        // Reading all 10 000 rows with every column allocated about 225 MB here; the keys and 100 point reads about 30 MB.
        Assert.InRange(allocated, 0, 100_000_000);
        Console.WriteLine($"AcceptedSinceAsync: 10 000 rows, 100 kept, {allocated / 1e6:0.0} MB allocated in total");
    }

    [Fact]
    public async Task RefitService_TwoInstances_SecondAnswersAtOnceWithTheRunningRefitsId_ThenTheLockIsFree()
    {
        var env = new TestEnv(azurite, engine, "lock");
        await env.InitAsync();
        await env.UploadReferenceAsync(40);
        // Two services with their own stores and clients: as two instances of the app would be.
        var a = env.Refit();
        var b = new RefitService(StorageClients.FromConnectionString(env.Connection), env.Settings, engine.Extractor,
            new ModelStore(env.Clients.Blobs.GetBlobContainerClient(env.Settings.ModelsContainer)), env.Results, NullLogger<RefitService>.Instance);

        var first = a.RefitAsync(default, maxParallel: 1);
        // Wait until the first holds the lock (its id is in the lock blob's metadata).
        var lockBlob = env.Clients.Blobs.GetBlobContainerClient(env.Settings.ModelsContainer).GetBlobClient(RefitLock.BlobName);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline && (!(await lockBlob.ExistsAsync()).Value || (await lockBlob.GetPropertiesAsync()).Value.LeaseState != Azure.Storage.Blobs.Models.LeaseState.Leased))
        {
            await Task.Delay(20);
        }
        var started = System.Diagnostics.Stopwatch.StartNew();
        var second = await b.RefitAsync(default);
        var http = await FakeHttp.InvokeAsync(r => new Refit(b).Run(r, default), "http://localhost/api/refit", "POST");
        var answeredIn = started.Elapsed;
        Assert.False(first.IsCompleted, "the first refit finished before the second asked: the test proves nothing");
        var done = await first;

        Assert.True(second.AlreadyRunning);
        Assert.False(second.Published);
        Assert.Equal(done.RefitId, second.RefitId);
        Assert.Equal(202, http.Status);
        Assert.Equal(done.RefitId, http.Body.RootElement.GetProperty("refitId").GetString());
        Assert.True(answeredIn < TimeSpan.FromSeconds(2), $"answered in {answeredIn}");
        Assert.True(done.Published, done.Message);
        Assert.Single(await env.Models.ListVersionsAsync(default));

        // Released at the end: the next refit runs.
        var third = await b.RefitAsync(default);
        Assert.False(third.AlreadyRunning);
        Assert.True(third.Published, third.Message);
    }

    [Fact]
    public async Task ReconcileService_RowsWithoutVerdict_RescoredAfterRefit_ConcurrentPassesAndDeliveriesCountEachVerdictOnce()
    {
        var env = new TestEnv(azurite, engine, "recon");
        await env.InitAsync();
        var names = Enumerable.Range(0, 7).Select(i => $"r/{i}.jpg").ToList();
        for (int i = 0; i < names.Count; i++) await UploadAsync(env, names[i], TestImages.Scene(4500 + i));
        var early = env.Scoring();
        foreach (var n in names) Assert.Equal(ScoreOutcome.Error, (await early.ScoreAsync(n, default)).Outcome);
        Assert.All(await env.AllRowsAsync(), r => Assert.Equal(ScoringService.NoReferenceKind, r.ErrorKind));
        Assert.Equal(0, (await env.Reconcile(early).ReconcileAsync(default)).Rescored); // still no model: nothing to do
        await env.Images.GetBlobClient(names[^1]).DeleteAsync(); // its placeholder can never get a verdict

        await env.UploadReferenceAsync(24);
        Assert.True((await env.Refit().RefitAsync(default)).Published);
        await Task.Delay(ModelStore.PointerCheckReuse);
        // Two passes (as from two instances) and two redelivered events, all at once, each with its own scorer.
        var a = env.Scoring();
        var b = env.Scoring();
        var c = env.Scoring();
        var passes = Task.WhenAll(env.Reconcile(a).ReconcileAsync(default), env.Reconcile(b).ReconcileAsync(default));
        await Task.WhenAll(c.ScoreAsync(names[0], default), c.ScoreAsync(names[1], default));
        var outcomes = await passes;

        var rows = await env.AllRowsAsync();
        Assert.Equal(names.Take(6), rows.Select(r => r.BlobName).Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.Equal(ResultEntity.StatusOk, r.Status));
        Assert.Equal(6, env.Metric.Total); // each verdict counted once, whoever wrote it
        Assert.InRange(outcomes.Sum(o => o.Removed), 1, 2); // the vanished blob's placeholder (both passes may delete it)
        Assert.Equal(0, (await env.Reconcile(a).ReconcileAsync(default)).Checked); // nothing left
    }

    [Fact]
    public async Task LocalHost_BlobThatAlwaysFails_ReannouncedAtMostTheCap_ThenFinalErrorRow_OthersFlow()
    {
        var env = await WithModelAsync(azurite, engine, "giveup");
        using var host = env.BuildHost(
            options: o => o with { VerdictGrace = TimeSpan.FromSeconds(2), MaxReannouncements = 2 },
            services: s => s.AddSingleton<IBlobScorer>(sp => new FailingFor("g/poison.jpg", sp.GetRequiredService<ScoringService>())));
        await host.StartAsync();
        try
        {
            var names = Enumerable.Range(0, 6).Select(i => $"g/{i}.jpg").Append("g/poison.jpg").ToList();
            for (int i = 0; i < names.Count; i++) await UploadAsync(env, names[i], TestImages.Scene(4600 + i));
            var scanner = host.Services.GetRequiredService<BlobScanner>();

            var deadline = DateTime.UtcNow.AddSeconds(120);
            List<ResultEntity> rows;
            do
            {
                await Task.Delay(500);
                rows = await env.AllRowsAsync();
            }
            while (DateTime.UtcNow < deadline && (rows.Count < names.Count || rows.Any(r => r.BlobName == "g/poison.jpg") is false));

            Assert.Equal(names.Order(StringComparer.Ordinal), rows.Select(r => r.BlobName).Order(StringComparer.Ordinal));
            Assert.All(rows.Where(r => r.BlobName != "g/poison.jpg"), r => Assert.Equal(ResultEntity.StatusOk, r.Status));
            var final = rows.Single(r => r.BlobName == "g/poison.jpg");
            Assert.Equal(PendingVerdicts.RetriesExhaustedKind, final.ErrorKind);
            Assert.Equal(2, scanner.Pending.Reannounced);
            Assert.Equal(1, scanner.Pending.GaveUp);
            // Given up: no more announcements however long the host runs.
            await Task.Delay(TimeSpan.FromSeconds(4));
            Assert.Equal(2, scanner.Pending.Reannounced);
            Assert.Equal(0, scanner.Pending.Count);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    /// <summary>A scorer that always throws for one blob (as a storage fault that never heals would) and scores the rest.</summary>
    private sealed class FailingFor(string name, IBlobScorer inner) : IBlobScorer
    {
        public Task<(ScoreOutcome Outcome, ResultEntity? Row)> ScoreAsync(string blobName, BlobHint? hint, CancellationToken ct) =>
            blobName == name ? throw new InvalidOperationException($"injected fault for {name}") : inner.ScoreAsync(blobName, hint, ct);
    }

    [Fact]
    public async Task BlobScanner_UnlistableNameBetweenGoodOnes_SteppedOver_GoodBlobsScored()
    {
        var env = await WithModelAsync(azurite, engine, "unlist");
        var good = Enumerable.Range(0, 5).Select(i => $"n/a{i}.jpg").Concat(Enumerable.Range(0, 5).Select(i => $"n/c{i}.jpg")).ToList();
        for (int i = 0; i < good.Count; i++) await UploadAsync(env, good[i], TestImages.Scene(4700 + i));
        await UploadAsync(env, "n/b\u0001bad.jpg", TestImages.Scene(4799)); // Azurite fails any listing page that holds it

        var scanner = await env.ScannerAsync(new LocalHostOptions());
        Assert.Equal(good.Count, await scanner.ScanOnceAsync(default));
        Assert.Equal(1, scanner.UnlistableSkipped);
        Assert.Equal(0, await scanner.ScanOnceAsync(default)); // the marker past it is remembered: no new search, nothing new

        using var host = env.BuildHost();
        await host.StartAsync();
        try
        {
            var rows = await env.WaitForRowsAsync(good.Count, TimeSpan.FromSeconds(60));
            Assert.Equal(good.Order(StringComparer.Ordinal), rows.Select(r => r.BlobName).Order(StringComparer.Ordinal));
            Assert.All(rows, r => Assert.Equal(ResultEntity.StatusOk, r.Status));
        }
        finally
        {
            await host.StopAsync();
        }
    }
}

/// <summary>A logger that records formatted messages and lets a test act on one as it is written.</summary>
internal sealed class RecordingLogger<T>(Action<string>? onMessage = null) : ILogger<T>
{
    public ConcurrentQueue<string> Messages { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var message = formatter(state, exception);
        Messages.Enqueue(message);
        onMessage?.Invoke(message);
    }
}
