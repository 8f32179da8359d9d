using System.CommandLine;
using System.Diagnostics;
using FunctionsDrift.Core.Detectors;
using FunctionsDrift.Core.Embedding;
using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Images;
using FunctionsDrift.Core.Model;
using FunctionsDrift.Core.Scoring;

namespace FunctionsDrift.Cli.Commands;

/// <summary>
/// <c>drift bench</c>: throughput of each stage on real images, all measured in one run so that ratios are comparable on a
/// noisy shared machine. Images are read into memory first, so disk speed is not measured.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(CliContext ctx)
    {
        var images = new Option<string>("--images") { Description = "Folder of images to score (e.g. bench-data/test).", Required = true };
        var count = new Option<int>("--count") { Description = "Images scored per measurement (the folder is cycled).", DefaultValueFactory = _ => 300 };
        var rounds = new Option<int>("--rounds") { Description = "Measurements per stage; the median is reported.", DefaultValueFactory = _ => 3 };
        var cmd = new Command("bench", "Measure images/s of decode, colour-and-quality scoring and full scoring, and peak memory.") { images, count, rounds };
        cmd.SetAction((pr, ct) => ctx.Guard(async token =>
        {
            await Task.Yield();
            var files = CommonOptions.ListImages(ctx, pr.GetValue(images)!);
            var bytes = files.Select(File.ReadAllBytes).ToArray();
            int n = pr.GetValue(count), r = Math.Max(1, pr.GetValue(rounds));
            int cores = Environment.ProcessorCount;
            ctx.Out.WriteLine($"drift bench: {files.Count} images from {pr.GetValue(images)}, {n} per measurement, median of {r}; {cores} cores, {Environment.OSVersion}, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd}");

            var noCnn = new FeatureExtractor(null);
            var fitSet = bytes.Take(Math.Min(100, bytes.Length)).ToArray();
            var noCnnModel = ReferenceFitter.Fit(fitSet.Select(b => noCnn.Extract(b)).ToList(), noCnn.ModelIdentity, new() { MinImages = 2 });
            var noCnnScorer = new DriftScorer(noCnnModel);
            using var probe = ImageLoader.Decode(bytes[0], ImageLoadOptions.Scoring);
            var stages = new List<(string Name, int Workers, Action<byte[]> Work)>
            {
                ("decode (reduced scale)", cores, b => ImageLoader.Decode(b, ImageLoadOptions.Scoring).Dispose()),
                ("colour + quality scoring, no CNN", cores, b => noCnnScorer.Score(noCnn.Extract(b))),
            };
            var embedders = new List<OnnxEmbedder>();
            DriftScorer? lastScorer = null;
            ImageFeatures? lastFeatures = null;
            foreach (var precision in new[] { EmbedderPrecision.Fp32, EmbedderPrecision.Int8 })
            {
                var manifest = ModelManifest.Load(ModelManifest.PathFor(precision));
                var embedderSerial = new OnnxEmbedder(manifest, new EmbedderOptions { IntraOpThreads = 0 });
                var embedderParallel = new OnnxEmbedder(manifest, new EmbedderOptions { IntraOpThreads = 1 });
                embedders.AddRange([embedderSerial, embedderParallel]);
                var fullSerial = new FeatureExtractor(embedderSerial);
                var fullParallel = new FeatureExtractor(embedderParallel);
                // Reference models (not timed): fitted on up to 100 of the images.
                var fitOptions = new FitOptions { MinImages = 2 };
                var fitFeatures = await RegionPlan.WithCropsAsync(fitSet.Select(b => fullParallel.ExtractReference(b)).ToList(), fitOptions,
                    (i, grid, cells, _) => ValueTask.FromResult<float[]?>(fullParallel.EmbedRegions(fitSet[i], grid, cells)));
                var fullModel = ReferenceFitter.Fit(fitFeatures, fullParallel.ModelIdentity, fitOptions);
                var fullScorer = new DriftScorer(fullModel);
                var p = precision.Name().ToUpperInvariant();
                if (precision == EmbedderPrecision.Fp32)
                {
                    var tensors = new System.Collections.Concurrent.ConcurrentBag<float[]>();
                    stages.Add(("resize to 224 + input tensor", cores, _ =>
                    {
                        var t = tensors.TryTake(out var x) ? x : new float[3 * manifest.InputWidth * manifest.InputHeight];
                        embedderParallel.PrepareInput(probe, t);
                        tensors.Add(t);
                    }));
                }
                stages.Add(($"{p} resize + ResNet18 inference (ORT, 1 thread × 2 images)", cores, _ => { var e = new float[512]; embedderParallel.Embed(probe, e); }));
                stages.Add(($"{p} full scoring, ORT 2 threads, 1 image at a time", 1, b => fullScorer.Score(fullSerial.Extract(b, fullModel.RegionCell))));
                stages.Add(($"{p} full scoring, ORT 1 thread, 2 images at a time", cores, b => fullScorer.Score(fullParallel.Extract(b, fullModel.RegionCell))));
                stages.Add(($"{p} full scoring, ORT 2 threads, 2 images at a time (oversubscribed)", cores, b => fullScorer.Score(fullSerial.Extract(b, fullModel.RegionCell))));
                lastScorer = fullScorer;
                lastFeatures = fullParallel.Extract(probe, fullModel.RegionCell);
            }
            stages.Add(("detectors only (all detectors on ready features)", 1, _ => lastScorer!.Score(lastFeatures!)));
            using var disposeEmbedders = new Disposables(embedders);
            ctx.Out.WriteLine();
            ctx.Out.WriteLine("| stage | workers | images/s | ms/image | allocated KB/image |");
            ctx.Out.WriteLine("|---|---:|---:|---:|---:|");
            foreach (var (name, workers, work) in stages)
            {
                Measure(bytes, Math.Min(20, n), workers, work, token); // warm-up
                var results = Enumerable.Range(0, r).Select(_ => Measure(bytes, n, workers, work, token)).OrderBy(x => x.Rate).ToList();
                var (rate, alloc) = results[results.Count / 2];
                ctx.Out.WriteLine($"| {name} | {workers} | {rate:0.0} | {1000 / rate:0.00} | {alloc / 1024.0:0} |");
            }
            using var self = Process.GetCurrentProcess();
            self.Refresh();
            ctx.Out.WriteLine();
            ctx.Out.WriteLine($"peak working set: {self.PeakWorkingSet64 / 1024 / 1024} MiB (the whole process: four ONNX sessions, {bytes.Length} images in memory)");
            return (int)ExitCode.Ok;
        }, ct));
        return cmd;
    }

    private sealed class Disposables(IEnumerable<IDisposable> items) : IDisposable
    {
        public void Dispose()
        {
            foreach (var item in items) item.Dispose();
        }
    }

    private static (double Rate, double AllocPerImage) Measure(byte[][] bytes, int n, int workers, Action<byte[]> work, CancellationToken ct)
    {
        GC.Collect();
        long alloc0 = GC.GetTotalAllocatedBytes(precise: true);
        var sw = Stopwatch.StartNew();
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = ct }, i => work(bytes[i % bytes.Length]));
        sw.Stop();
        long alloc = GC.GetTotalAllocatedBytes(precise: true) - alloc0;
        return (n / sw.Elapsed.TotalSeconds, (double)alloc / n);
    }
}
