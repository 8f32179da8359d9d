using FunctionsDrift.Core.Model;
using FunctionsDrift.Core.Scoring;
using FunctionsDrift.LocalHost;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsDrift.Storage.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class LocalHostTests(AzuriteFixture azurite, EngineFixture engine)
{
    private static int BurstCount => int.TryParse(Environment.GetEnvironmentVariable("DRIFT_BURST_COUNT"), out var n) && n > 0 ? n : 120;

    [Fact]
    public async Task LocalHost_UploadScoresEveryImage_VerdictsEqualScorer()
    {
        var env = new TestEnv(azurite, engine, "e2e");
        await env.UploadReferenceAsync();
        using var host = env.BuildHost();
        await host.StartAsync();
        try
        {
            var model = await env.Models.GetCurrentAsync(default);
            Assert.NotNull(model); // the start-up refit fitted a first reference from an empty models container
            Assert.Contains(model!.Detectors, d => d.Detector.Name == "region"); // the refit cropped the reference blobs
            Assert.Contains(model.Detectors, d => d.Detector.Name == "wide");

            var files = new Dictionary<string, byte[]>();
            for (int i = 0; i < 8; i++) files[$"cam/ok-{i}.jpg"] = TestImages.Scene(5000 + i);
            for (int k = 0; k < 4; k++) files[$"cam/drift-{k}.jpg"] = TestImages.Drifted(6000 + k, k);
            foreach (var (name, bytes) in files) await env.Images.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(bytes));

            var rows = await env.WaitForRowsAsync(files.Count, TimeSpan.FromSeconds(60));
            Assert.Equal(files.Count, rows.Count);
            var scorer = new DriftScorer(model!);
            foreach (var row in rows)
            {
                Assert.Equal(ResultEntity.StatusOk, row.Status);
                var expected = scorer.Score(engine.Extractor.Extract(files[row.BlobName], model!.RegionCell));
                Assert.Equal(expected.Drift, row.Drift);
                Assert.Equal(expected.FusedPValue, row.FusedP, 6);
                Assert.Equal(model!.Version, row.ReferenceVersion);
            }
            // The drifted scenes are flagged, most normal ones are not.
            Assert.True(rows.Count(r => r.BlobName.Contains("drift") && r.Drift) >= 3, string.Join("\n", rows.Select(r => $"{r.BlobName} {r.Drift} {r.FusedP}")));
            Assert.True(rows.Count(r => r.BlobName.Contains("ok") && r.Drift) <= 1);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task LocalHost_BurstWithRestart_ExactlyOneRowPerBlob()
    {
        var env = new TestEnv(azurite, engine, "burst");
        await env.UploadReferenceAsync();
        await env.InitAsync();
        await env.Refit().RefitAsync(default);
        int n = BurstCount;
        var names = Enumerable.Range(0, n).Select(i => $"burst/{i:00000}.jpg").ToList();
        var payloads = Enumerable.Range(0, 8).Select(i => TestImages.Scene(7000 + i)).ToArray();

        var first = env.BuildHost();
        await first.StartAsync();
        // Upload everything as fast as possible; restart the host once a third is uploaded.
        var upload = Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (name, ct) =>
            await env.Images.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(payloads[name.GetHashCode() & 7]), ct));
        while ((await env.AllRowsAsync()).Count < n / 3) await Task.Delay(100);
        await first.StopAsync();
        var firstScanner = first.Services.GetRequiredService<BlobScanner>();
        first.Dispose();
        using var second = env.BuildHost();
        await second.StartAsync();
        try
        {
            await upload;
            var rows = await env.WaitForRowsAsync(n, TimeSpan.FromSeconds(30 + n));
            await Task.Delay(1500); // anything scored twice would show in the metric now
            Assert.Equal(n, rows.Count);
            Assert.Equal(names.OrderBy(x => x, StringComparer.Ordinal), rows.Select(r => r.BlobName).OrderBy(x => x, StringComparer.Ordinal));
            Assert.All(rows, r => Assert.Equal(ResultEntity.StatusOk, r.Status));
            Assert.Equal(n, env.Metric.Total); // every blob scored exactly once across the restart
            var secondScanner = second.Services.GetRequiredService<BlobScanner>();
            Console.WriteLine($"Burst with restart: {n} blobs, announced {firstScanner.Announced} + {secondScanner.Announced}, "
                + $"re-announced {firstScanner.Pending.Reannounced} + {secondScanner.Pending.Reannounced}, "
                + $"redelivered messages {firstScanner.Redeliveries} + {secondScanner.Redeliveries}, gave up {secondScanner.Pending.GaveUp}");
        }
        finally
        {
            await second.StopAsync();
        }
    }

    [Fact]
    public async Task BlobScanner_StrandedAnnouncement_IsReannouncedAndScored()
    {
        // A host that stops while holding fetched messages leaves them invisible for minutes (or a message ends in the poison
        // queue), and the receipts keep the scanner from announcing those blobs again: the sweep must.
        var env = new TestEnv(azurite, engine, "strand");
        await env.UploadReferenceAsync();
        await env.InitAsync();
        await env.Refit().RefitAsync(default);
        var scanner = await env.ScannerAsync(new FunctionsDrift.LocalHost.LocalHostOptions { VerdictGrace = TimeSpan.Zero });
        var names = new[] { "s/0.jpg", "s/1.jpg", "s/2.jpg" };
        for (int i = 0; i < names.Length; i++) await env.Images.GetBlobClient(names[i]).UploadAsync(BinaryData.FromBytes(TestImages.Scene(9100 + i)));

        Assert.Equal(3, await scanner.ScanOnceAsync(default));
        var queue = env.Clients.Queues.GetQueueClient(env.Settings.BlobCreatedQueue);
        await queue.ClearMessagesAsync(); // the messages are lost
        await env.Scoring().ScoreAsync(names[0], default); // one was scored before they were lost

        Assert.Equal(0, await scanner.ScanOnceAsync(default)); // receipts: a listing alone never announces them again
        Assert.Equal(2, await scanner.SweepAsync(default));
        var messages = (await queue.ReceiveMessagesAsync(10)).Value;
        Assert.Equal(new[] { names[1], names[2] }, messages.SelectMany(m => BlobCreatedEvent.ParseAll(m.Body.ToString())).Select(e => e.ParseSubject().BlobName).Order(StringComparer.Ordinal));
        foreach (var m in messages) await queue.UpdateMessageAsync(m.MessageId, m.PopReceipt, visibilityTimeout: TimeSpan.Zero);

        using var host = env.BuildHost();
        await host.StartAsync();
        try
        {
            var rows = await env.WaitForRowsAsync(3, TimeSpan.FromSeconds(60));
            Assert.Equal(names, rows.Select(r => r.BlobName).Order(StringComparer.Ordinal));
            Assert.Equal(0, await scanner.SweepAsync(default)); // every blob has its verdict now: nothing left to re-announce
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task BlobScanner_ManyNewBlobs_BatchedIntoFewMessages_EveryBlobScoredOnce()
    {
        // A listing that finds 20 new blobs with 2 slots sends Event Grid arrays of up to 8 events: 3 messages, not 20.
        var env = new TestEnv(azurite, engine, "batch");
        await env.UploadReferenceAsync();
        await env.InitAsync();
        await env.Refit().RefitAsync(default);
        var scanner = await env.ScannerAsync(new FunctionsDrift.LocalHost.LocalHostOptions { Parallelism = 2, MaxEventsPerMessage = 8 });
        var names = Enumerable.Range(0, 20).Select(i => $"b/{i:00}.jpg").ToList();
        await Parallel.ForEachAsync(names, async (n, ct) =>
            await env.Images.GetBlobClient(n).UploadAsync(BinaryData.FromBytes(TestImages.Scene(9300 + names.IndexOf(n))), ct));

        Assert.Equal(20, await scanner.ScanOnceAsync(default));
        var queue = env.Clients.Queues.GetQueueClient(env.Settings.BlobCreatedQueue);
        var peeked = (await queue.PeekMessagesAsync(32)).Value;
        Assert.Equal(new[] { 4, 8, 8 }, peeked.Select(m => BlobCreatedEvent.ParseAll(m.Body.ToString()).Count).Order());
        Assert.Equal(names, peeked.SelectMany(m => BlobCreatedEvent.ParseAll(m.Body.ToString())).Select(e => e.ParseSubject().BlobName).Order(StringComparer.Ordinal));

        using var host = env.BuildHost();
        await host.StartAsync();
        try
        {
            var rows = await env.WaitForRowsAsync(20, TimeSpan.FromSeconds(60));
            Assert.Equal(names, rows.Select(r => r.BlobName).Order(StringComparer.Ordinal));
            Assert.All(rows, r => Assert.Equal(ResultEntity.StatusOk, r.Status));
            await Task.Delay(500);
            Assert.Equal(20, env.Metric.Total); // each event of each array scored exactly once
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task LocalHost_BadBlobs_ErrorRowsAndScoringContinues()
    {
        var env = new TestEnv(azurite, engine, "bad");
        await env.UploadReferenceAsync();
        using var host = env.BuildHost();
        await host.StartAsync();
        try
        {
            var bad = TestImages.Bad();
            foreach (var (name, bytes) in bad) await env.Images.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(bytes));
            for (int i = 0; i < 3; i++) await env.Images.GetBlobClient($"good/{i}.jpg").UploadAsync(BinaryData.FromBytes(TestImages.Scene(8000 + i)));
            var rows = await env.WaitForRowsAsync(bad.Count + 3, TimeSpan.FromSeconds(60));
            Assert.Equal(bad.Count + 3, rows.Count);
            foreach (var (name, _) in bad)
            {
                var row = Assert.Single(rows, r => r.BlobName == name);
                Assert.Equal(ResultEntity.StatusError, row.Status);
                Assert.False(string.IsNullOrEmpty(row.Error));
            }
            Assert.Equal("Empty", rows.Single(r => r.BlobName == "bad/empty.jpg").ErrorKind);
            // A header-only 30000×30000 PNG is refused from its declared size, before any pixel buffer is allocated.
            Assert.Equal("TooLarge", rows.Single(r => r.BlobName == "bad/bomb.png").ErrorKind);
            Assert.All(rows.Where(r => r.BlobName.StartsWith("good/")), r => Assert.Equal(ResultEntity.StatusOk, r.Status));
            // Nothing went to the poison queue.
            var poison = env.Clients.Queues.GetQueueClient(env.Settings.BlobCreatedQueue + "-poison");
            Assert.False(await poison.ExistsAsync() && (await poison.PeekMessagesAsync()).Value.Length > 0);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task LocalHost_RefitDuringBurst_VersionSwitchesAndEveryRowNamesIt()
    {
        var env = new TestEnv(azurite, engine, "refit");
        await env.UploadReferenceAsync();
        using var host = env.BuildHost();
        await host.StartAsync();
        try
        {
            var v1 = (await env.Models.GetCurrentAsync(default))!.Version;
            int n = Math.Max(40, BurstCount / 3), half = n / 2;
            Task Upload(int from, int to) => Parallel.ForEachAsync(Enumerable.Range(from, to - from), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
                await env.Images.GetBlobClient($"r/{i:0000}.jpg").UploadAsync(BinaryData.FromBytes(TestImages.Scene(9000 + i)), ct));
            var first = Upload(0, half);
            while ((await env.AllRowsAsync()).Count < half / 4) await Task.Delay(100);
            // Refit (through the running host's own service) while scoring goes on; a new reference image makes it differ.
            await env.Reference.GetBlobClient("frame-9999.jpg").UploadAsync(BinaryData.FromBytes(TestImages.Scene(1999)));
            var refit = (RefitService)host.Services.GetService(typeof(RefitService))!;
            var outcome = await refit.RefitAsync(default);
            Assert.True(outcome.Published, outcome.Message);
            Assert.NotEqual(v1, outcome.Version);
            await first;
            await Upload(half, n); // uploaded after the swap: must all name the new version
            var rows = await env.WaitForRowsAsync(n, TimeSpan.FromSeconds(60 + n));
            Assert.Equal(n, rows.Count);
            Assert.All(rows, r => Assert.Equal(ResultEntity.StatusOk, r.Status));
            Assert.All(rows, r => Assert.Contains(r.ReferenceVersion, new[] { v1, outcome.Version }));
            Assert.All(rows.Where(r => string.CompareOrdinal(r.BlobName, $"r/{half:0000}.jpg") >= 0), r => Assert.Equal(outcome.Version, r.ReferenceVersion));
            Assert.Equal(outcome.Version, (await env.Models.ReadPointerAsync(default)).Pointer!.Version);
            Assert.Equal(2, (await env.Models.ListVersionsAsync(default)).Count);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task LocalHost_HostileNames_RoundTripIntoDistinctRows()
    {
        var env = new TestEnv(azurite, engine, "names");
        await env.UploadReferenceAsync();
        // Blob storage itself maps '\\' to '/', and Azurite cannot list names holding XML-invalid control characters
        // (it answers 500), so those two are checked on the keys only (ResultKeysTests).
        var names = HostileNames.All.Where(n => !n.Contains('\\') && !n.Any(c => c < 0x20 && c != '\t')).ToList();
        using var host = env.BuildHost();
        await host.StartAsync();
        try
        {
            var bytes = TestImages.Scene(4242);
            foreach (var name in names) await env.Images.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(bytes));
            var rows = await env.WaitForRowsAsync(names.Count, TimeSpan.FromSeconds(60));
            Assert.Equal(names.Count, rows.Count);
            Assert.Equal(names.OrderBy(x => x, StringComparer.Ordinal), rows.Select(r => r.BlobName).OrderBy(x => x, StringComparer.Ordinal));
            Assert.Equal(names.Count, rows.Select(r => r.RowKey).Distinct().Count());
            Assert.All(rows, r => Assert.Equal(ResultEntity.StatusOk, r.Status));
        }
        finally
        {
            await host.StopAsync();
        }
    }
}

public static class HostileNames
{
    public static IReadOnlyList<string> All { get; } =
    [
        "a/b/c.jpg",
        "a\\b\\c.jpg",
        "hash#tag.jpg",
        "what?.jpg",
        "100%.jpg",
        "%2F encoded.jpg",
        "tab\there.jpg",
        "bell\u0007.jpg",
        "naïve façade 東京.jpg",
        "emoji 📷.jpg",
        "sp ace .jpg",
        "quote'\".jpg",
        new string('x', 1020) + ".jpg",
        new string('x', 1019) + "y.jpg",
    ];
}
