using System.Security.Claims;
using System.Text.Json;
using Azure.Core.Serialization;
using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Model;
using FunctionsDrift.Core.Scoring;
using FunctionsDrift.Functions;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.DependencyInjection;
using SkiaSharp;
using Xunit.Abstractions;

namespace FunctionsDrift.Storage.Tests;

public sealed class ReferenceFeatureStoreTests
{
    [Fact]
    public void ReferenceFeatureStore_RoundTripsAndRejectsTruncated()
    {
        var rng = new Random(3);
        float[] R(int n) => Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble()).ToArray();
        var features = new List<ImageFeatures> { new(R(512), R(48), R(13), R(40), 160, 120), new([], R(48), R(13), [], 7, 9) };
        var bytes = ReferenceFeatureStore.Serialize(features);
        var back = ReferenceFeatureStore.Deserialize(bytes);
        Assert.Equal(2, back.Count);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(features[i].Embedding, back[i].Embedding);
            Assert.Equal(features[i].Hsv, back[i].Hsv);
            Assert.Equal(features[i].Quality, back[i].Quality);
            Assert.Empty(back[i].Patch); // not stored: the window tests do not use it
            Assert.Equal((features[i].Width, features[i].Height), (back[i].Width, back[i].Height));
        }
        Assert.Throws<InvalidDataException>(() => ReferenceFeatureStore.Deserialize(bytes.AsSpan(0, bytes.Length - 3)));
        Assert.Throws<InvalidDataException>(() => ReferenceFeatureStore.Deserialize("not features"u8));
    }
}

[Collection(AzuriteCollection.Name)]
public sealed class WindowSummaryTests(AzuriteFixture azurite, EngineFixture engine, ITestOutputHelper output)
{
    private const int PerWindow = 12;
    private const int ReferenceImages = 90;

    /// <summary>
    /// A scene under a faint warm cast (6/255 orange over it): a gradual change rather than a broken camera. Most of these
    /// pass the per-image detectors (24 of 30 here); the hour as a whole does not pass the window tests.
    /// </summary>
    private static byte[] WarmScene(int seed)
    {
        using var bitmap = SKBitmap.Decode(TestImages.Scene(seed));
        using (var canvas = new SKCanvas(bitmap))
        using (var paint = new SKPaint { Color = new SKColor(255, 190, 90, 6) })
        {
            canvas.DrawRect(0, 0, bitmap.Width, bitmap.Height, paint);
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }

    /// <summary>
    /// Reference of 90 scenes, refit (saves the features); a clean hour of 12 new scenes and a warm-cast hour of 12, written
    /// as result rows with stored features and real per-image verdicts.
    /// </summary>
    private async Task<(TestEnv Env, ReferenceModel Model, DateTimeOffset Hour0, int FlaggedWarm)> SetUpAsync(string name)
    {
        var env = new TestEnv(azurite, engine, name);
        await env.InitAsync();
        await env.UploadReferenceAsync(ReferenceImages);
        var outcome = await env.Refit().RefitAsync(default);
        Assert.True(outcome.Published, outcome.Message);
        var model = (await env.Models.GetCurrentAsync(default))!;
        var now = DateTimeOffset.UtcNow.AddHours(-3);
        var hour0 = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
        var scorer = new DriftScorer(model);
        int flaggedWarm = 0;
        for (int i = 0; i < 2 * PerWindow; i++)
        {
            bool warm = i >= PerWindow;
            var bytes = warm ? WarmScene(7000 + i) : TestImages.Scene(7000 + i);
            var f = engine.Extractor.Extract(bytes, model.RegionCell);
            var verdict = scorer.Score(f);
            if (warm && verdict.Drift) flaggedWarm++;
            var blobName = $"cam/{i:000}.jpg";
            var time = hour0.AddHours(warm ? 1 : 0).AddMinutes(i % PerWindow);
            var row = new ResultEntity
            {
                PartitionKey = env.Results.PartitionKeyFor(blobName, time),
                RowKey = ResultKeys.RowKey(blobName),
                BlobName = blobName,
                BlobLastModified = time,
                ScoredAt = time.AddSeconds(1),
                Status = ResultEntity.StatusOk,
                ReferenceVersion = model.Version,
                Drift = verdict.Drift,
                FusedP = verdict.FusedPValue,
            };
            row.StoreFeatures(f);
            await env.Results.UpsertAsync(row, default);
        }
        // An error row in the clean hour: counted by the plain summary, ignored by the window tests.
        await env.Results.UpsertAsync(new ResultEntity
        {
            PartitionKey = env.Results.PartitionKeyFor("cam/bad.jpg", hour0), RowKey = ResultKeys.RowKey("cam/bad.jpg"), BlobName = "cam/bad.jpg",
            BlobLastModified = hour0, Status = ResultEntity.StatusError, ErrorKind = "Truncated", Error = "truncated",
        }, default);
        output.WriteLine($"warm-cast images flagged one by one: {flaggedWarm}/{PerWindow}");
        return (env, model, hour0, flaggedWarm);
    }

    private WindowSummaryService Service(TestEnv env) =>
        new(env.Clients, env.Settings, env.Models, env.Results, () => engine.Extractor);

    [Fact]
    public async Task WindowSummaryService_FlagsTheShiftedHourOnly_StoredAndReextractedReference()
    {
        var (env, model, hour0, flaggedWarm) = await SetUpAsync("win");
        Assert.InRange(flaggedWarm, 0, PerWindow / 2); // most shifted images pass one by one
        var stored = await new ReferenceFeatureStore(env.Models.Container).LoadAsync(model.Version, default);
        Assert.Equal(ReferenceImages, stored!.Count);

        var request = new WindowSummaryRequest { Since = hour0, Until = hour0.AddHours(2), Period = WindowPeriod.Hour, Seed = 17 };
        var service = Service(env);
        var summary = await service.RunAsync(request, default);
        foreach (var w in summary.Windows)
        {
            output.WriteLine($"{w.Label} images={w.Images} mmd2={w.Mmd2:0.00000} p={w.MmdPValue:0.0000} rate={w.Flagged}/{w.Images} [{w.RateLow:P1}, {w.RateHigh:P1}] {w.Verdict}");
        }

        Assert.Equal(model.Version, summary.ReferenceVersion);
        Assert.Equal("stored", summary.ReferenceSource);
        Assert.Equal(ReferenceImages, summary.ReferenceImages);
        Assert.Equal(2 * PerWindow, summary.Rows);
        Assert.Equal(0, summary.SkippedRows);
        Assert.Equal(2, summary.Windows.Count);
        var (clean, warm) = (summary.Windows[0], summary.Windows[1]);
        Assert.Equal(hour0, clean.Start);
        Assert.Equal(hour0.ToString("yyyy-MM-dd'T'HH':00Z'"), clean.Label);
        Assert.Equal(PerWindow, clean.Images);
        Assert.True(clean.Tested);
        Assert.False(clean.Drift, clean.Verdict);
        Assert.Equal("ok", clean.Verdict);
        Assert.True(warm.Drift, warm.Verdict);
        Assert.StartsWith("drift (", warm.Verdict);
        Assert.InRange(warm.RateLow, 0, warm.Rate);
        Assert.InRange(warm.RateHigh, warm.Rate, 1);
        Assert.Contains("reference covers the conditions", summary.Note); // what the test assumes travels with the result
        Assert.Contains("independent", summary.Null);
        Assert.True(warm.PValue <= 0.01);

        // The same request gives the same p-values (and reuses the cached tester).
        var again = await service.RunAsync(request, default);
        Assert.Equal(summary.Windows.Select(w => w.PValue), again.Windows.Select(w => w.PValue));
        Assert.Equal(1, service.CachedTesters);

        // Chunks of 30 in blob-time order give the same split here.
        var chunks = await service.RunAsync(request with { WindowSize = PerWindow }, default);
        Assert.Equal([false, true], chunks.Windows.Select(w => w.Drift));

        // A version without saved features (published before this existed): re-extracted from the reference container.
        await env.Models.Container.DeleteBlobAsync(ReferenceFeatureStore.FeaturesPath(model.Version));
        var fallback = await Service(env).RunAsync(request, default);
        Assert.Equal("re-extracted", fallback.ReferenceSource);
        Assert.Equal(ReferenceImages, fallback.ReferenceImages);
        Assert.Equal([false, true], fallback.Windows.Select(w => w.Drift));
    }

    [Fact]
    public async Task SummaryFunction_ReturnsWindowsWhenAsked()
    {
        var (env, _, hour0, _) = await SetUpAsync("winfn");
        var function = new Summary(env.Results, Service(env));
        string range = $"since={Uri.EscapeDataString(hour0.ToString("O"))}&until={Uri.EscapeDataString(hour0.AddHours(2).ToString("O"))}";

        var plain = await Invoke(function, $"?{range}");
        Assert.Equal(200, plain.Status);
        Assert.Equal(JsonValueKind.Array, plain.Body.RootElement.ValueKind);
        Assert.Equal(2, plain.Body.RootElement.GetArrayLength());
        Assert.Equal(1, plain.Body.RootElement[0].GetProperty("errors").GetInt32());

        var withWindows = await Invoke(function, $"?{range}&windows=true&period=hour");
        Assert.Equal(200, withWindows.Status);
        var root = withWindows.Body.RootElement;
        Assert.Equal(2, root.GetProperty("periods").GetArrayLength());
        var w = root.GetProperty("windows");
        Assert.Equal("stored", w.GetProperty("referenceSource").GetString());
        var list = w.GetProperty("windows");
        Assert.Equal(2, list.GetArrayLength());
        Assert.False(list[0].GetProperty("drift").GetBoolean());
        Assert.True(list[1].GetProperty("drift").GetBoolean());
        foreach (var name in new[] { "start", "images", "rate", "rateLow", "rateHigh", "pValue", "mmd2", "mmdPValue", "flaggedChannels", "verdict" })
        {
            Assert.True(list[1].TryGetProperty(name, out _), name);
        }
        Assert.Contains("reference's own windows", w.GetProperty("null").GetString());

        Assert.Equal(400, (await Invoke(function, "?windows=true&period=week")).Status);
        Assert.Equal(400, (await Invoke(function, "?windows=true&windowSize=1")).Status);
        // Above the documented maxima: 400, with the reason.
        var big = await Invoke(function, "?windows=true&windowSize=501");
        Assert.Equal(400, big.Status);
        Assert.Contains("500", big.Body.RootElement.GetProperty("error").GetString());
        var longRange = await Invoke(function, $"?windows=true&since={Uri.EscapeDataString(hour0.AddDays(-8).ToString("O"))}&until={Uri.EscapeDataString(hour0.ToString("O"))}");
        Assert.Equal(400, longRange.Status);
        Assert.Contains("7 days", longRange.Body.RootElement.GetProperty("error").GetString());
        Assert.Equal(400, (await Invoke(function, $"?windows=true&period=day&since={Uri.EscapeDataString(hour0.AddDays(-93).ToString("O"))}&until={Uri.EscapeDataString(hour0.ToString("O"))}")).Status);
        Assert.Equal(200, (await Invoke(function, $"?windows=true&period=day&since={Uri.EscapeDataString(hour0.AddDays(-30).ToString("O"))}&until={Uri.EscapeDataString(hour0.ToString("O"))}")).Status);
        Assert.Equal(400, (await Invoke(function, $"?{range}&windows=true&permutations=100000")).Status);
        Assert.Equal(400, (await Invoke(function, $"?{range}&windows=true&alpha=0")).Status);
    }

    [Fact]
    public async Task WindowSummaryService_ExpensiveRequestsAndAThousandSeedsKeepMemoryBounded()
    {
        var (env, _, hour0, _) = await SetUpAsync("winmem");
        var service = Service(env);
        var baseRequest = new WindowSummaryRequest
        {
            Since = hour0,
            Until = hour0.AddHours(2),
            MaxImagesPerWindow = WindowSummaryRequest.MaxWindowImages,
        };
        await service.RunAsync(baseRequest, default);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = GC.GetTotalMemory(forceFullCollection: true);

        // A thousand distinct seeds over the expensive combinations: the largest window and subsample, chunks and hours,
        // and alphas that each make a tester of their own.
        double[] alphas = [0.01, 0.02, 0.05, 0.1, 0.2, 0.3];
        for (int seed = 0; seed < 1000; seed++)
        {
            var request = baseRequest with
            {
                Seed = seed,
                Alpha = alphas[seed % alphas.Length],
                WindowSize = seed % 3 == 0 ? PerWindow : null,
            };
            var summary = await service.RunAsync(request, default);
            Assert.Equal(2, summary.Windows.Count);
            Assert.InRange(service.CachedTesters, 1, WindowSummaryService.TesterCacheSize);
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long after = GC.GetTotalMemory(forceFullCollection: true);
        output.WriteLine($"managed memory before {before / 1024} KiB, after 1000 requests {after / 1024} KiB; testers cached {service.CachedTesters}");
        Assert.True(after - before < WindowSummaryService.TesterCacheSize * WindowSummaryService.TesterBytes,
            $"memory grew by {(after - before) / 1024} KiB");
    }

    private static Task<(int Status, JsonDocument Body)> Invoke(Summary function, string query) =>
        FakeHttp.InvokeAsync(req => function.Run(req, default), $"http://localhost/api/summary{query}");
}
