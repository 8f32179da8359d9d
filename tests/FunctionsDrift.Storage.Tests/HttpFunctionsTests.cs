using System.Text.Json;
using FunctionsDrift.Functions;

namespace FunctionsDrift.Storage.Tests;

/// <summary>The Functions app's HTTP functions, called directly against Azurite (health, refit, results).</summary>
[Collection(AzuriteCollection.Name)]
public sealed class HttpFunctionsTests(AzuriteFixture azurite, EngineFixture engine)
{
    [Fact]
    public async Task HealthAndRefit_NoModelThenTooFewImagesThenPublished()
    {
        var env = new TestEnv(azurite, engine, "httpfit");
        await env.InitAsync();
        var health = new Health(env.Models, engine.Extractor);
        var refit = new Refit(env.Refit());

        var (status, body) = await FakeHttp.InvokeAsync(r => health.Run(r, default), "http://localhost/api/health");
        Assert.Equal(503, status);
        Assert.Equal("no reference model", body.RootElement.GetProperty("status").GetString());

        await env.UploadReferenceAsync(5); // fewer than MinImages (20)
        (status, body) = await FakeHttp.InvokeAsync(r => refit.Run(r, default), "http://localhost/api/refit", "POST");
        Assert.Equal(409, status);
        Assert.False(body.RootElement.GetProperty("published").GetBoolean());
        Assert.Contains("skipped", body.RootElement.GetProperty("message").GetString());

        await env.UploadReferenceAsync(24);
        (status, body) = await FakeHttp.InvokeAsync(r => refit.Run(r, default), "http://localhost/api/refit", "POST");
        Assert.Equal(200, status);
        Assert.True(body.RootElement.GetProperty("published").GetBoolean());
        var version = body.RootElement.GetProperty("version").GetString();
        Assert.Equal(24, body.RootElement.GetProperty("referenceImages").GetInt32());

        (status, body) = await FakeHttp.InvokeAsync(r => health.Run(r, default), "http://localhost/api/health");
        Assert.Equal(200, status);
        Assert.Equal(version, body.RootElement.GetProperty("referenceVersion").GetString());
        Assert.Equal(24, body.RootElement.GetProperty("imageCount").GetInt32());
    }

    [Fact]
    public async Task Results_FiltersPagesAndRejectsBadParameters()
    {
        var env = new TestEnv(azurite, engine, "httpres");
        await env.InitAsync();
        await env.UploadReferenceAsync(24);
        await env.Refit().RefitAsync(default);
        var scoring = env.Scoring();
        var names = new List<string>();
        for (int i = 0; i < 4; i++)
        {
            names.Add($"cam1/{i}.jpg");
            await env.Images.GetBlobClient(names[^1]).UploadAsync(BinaryData.FromBytes(TestImages.Scene(5000 + i)));
        }
        names.Add("cam2/0.jpg");
        await env.Images.GetBlobClient(names[^1]).UploadAsync(BinaryData.FromBytes(TestImages.Scene(5010)));
        names.Add("cam2/note.jpg");
        await env.Images.GetBlobClient(names[^1]).UploadAsync(BinaryData.FromString("not an image"));
        foreach (var n in names) await scoring.ScoreAsync(n, default);
        var results = new Results(env.Results);
        Task<(int, JsonDocument)> Get(string query) => FakeHttp.InvokeAsync(r => results.Run(r, default), $"http://localhost/api/results{query}");

        // Paging: follow the continuation until it runs out; every row once.
        var seen = new List<string>();
        string? continuation = null;
        int pages = 0;
        do
        {
            var (status, body) = await Get("?pageSize=2" + (continuation is null ? "" : $"&continuation={Uri.EscapeDataString(continuation)}"));
            Assert.Equal(200, status);
            var items = body.RootElement.GetProperty("items");
            Assert.InRange(items.GetArrayLength(), 0, 2);
            seen.AddRange(items.EnumerateArray().Select(i => i.GetProperty("image").GetString()!));
            continuation = body.RootElement.GetProperty("continuation").GetString();
            Assert.True(++pages <= 10, "paging does not end");
        }
        while (continuation is not null);
        Assert.Equal(names.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
        Assert.True(pages >= 3);

        var (s1, prefixed) = await Get("?prefix=cam2/");
        Assert.Equal(200, s1);
        Assert.Equal(["cam2/0.jpg", "cam2/note.jpg"], prefixed.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("image").GetString()).Order(StringComparer.Ordinal));

        var (s2, errors) = await Get("?errorsOnly=true");
        Assert.Equal(200, s2);
        var error = Assert.Single(errors.RootElement.GetProperty("items").EnumerateArray());
        Assert.Equal("cam2/note.jpg", error.GetProperty("image").GetString());
        Assert.Equal(ResultEntity.StatusError, error.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("error").GetString()));

        var (s3, future) = await Get($"?since={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(2).ToString("O"))}");
        Assert.Equal(200, s3);
        Assert.Equal(0, future.RootElement.GetProperty("items").GetArrayLength());

        var (s4, bad) = await Get("?since=yesterday-ish");
        Assert.Equal(400, s4);
        Assert.Contains("not a time", bad.RootElement.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("?pageSize=abc", "pageSize")]
    [InlineData("?pageSize=-5", "pageSize")]
    [InlineData("?pageSize=0", "pageSize")]
    [InlineData("?pageSize=5000", "pageSize")]
    [InlineData("?continuation=garbage", "continuation")]
    [InlineData("?continuation=%20", "continuation")]
    [InlineData("?continuation=a%20b%20c%20d", "continuation")]
    public async Task Results_InvalidPagingParameters_Answer400WithAMessage(string query, string named)
    {
        var env = new TestEnv(azurite, engine, "httppage");
        await env.InitAsync();
        var results = new Results(env.Results);
        var (status, body) = await FakeHttp.InvokeAsync(r => results.Run(r, default), $"http://localhost/api/results{query}");
        Assert.Equal(400, status);
        Assert.Contains(named, body.RootElement.GetProperty("error").GetString());
    }
}
