using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace FunctionsDrift.Storage.Tests;

/// <summary>The scoring service's stage times and scored count reach a System.Diagnostics.Metrics listener.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ScoringMetricsTests(AzuriteFixture azurite, EngineFixture engine)
{
    [Fact]
    public async Task ScoringABlob_RecordsEachStageAndOneScored_OnTheFunctionsDriftMeter()
    {
        var env = new TestEnv(azurite, engine, "met");
        await env.InitAsync();
        await env.UploadReferenceAsync(24);
        Assert.True((await env.Refit().RefitAsync(default)).Published);
        var blob = env.Images.GetBlobClient("cam/metered.jpg");
        await blob.UploadAsync(BinaryData.FromBytes(TestImages.Scene(4242)));

        var stages = new ConcurrentBag<(string Stage, double Ms)>();
        long scored = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MeterVerdictMetric.MeterName && instrument.Name is ScoringMetrics.StageDurationName or ScoringMetrics.ScoredName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, ms, tags, _) => stages.Add(((string)tags[0].Value!, ms)));
        listener.SetMeasurementEventCallback<long>((_, n, _, _) => Interlocked.Add(ref scored, n));
        listener.Start();

        var (outcome, _) = await env.Scoring().ScoreAsync(blob, default);
        var again = await env.Scoring().ScoreAsync(blob, default); // already scored: stages up to the lookup, nothing counted

        Assert.Equal(ScoreOutcome.Scored, outcome);
        Assert.Equal(ScoreOutcome.AlreadyDone, again.Outcome);
        Assert.Equal(1, Interlocked.Read(ref scored));
        var byStage = stages.GroupBy(s => s.Stage).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(ScoringMetrics.Stages.Order(), byStage.Keys.Order());
        Assert.Equal(2, byStage["properties"].Count);
        Assert.Single(byStage["extract+score"]);
        Assert.All(stages, s => Assert.True(s.Ms >= 0));
        Assert.True(byStage["extract+score"][0].Ms > 1, "extracting a 160×120 frame with ResNet18 takes more than a millisecond");
    }
}
