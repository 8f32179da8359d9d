using System.CommandLine;
using FunctionsDrift.Core.Pipeline;

namespace FunctionsDrift.Cli.Commands;

/// <summary><c>drift upload DIR</c>: upload a folder of images to a container (default: images).</summary>
internal static class UploadCommand
{
    public static Command Create(CliContext ctx)
    {
        var dir = new Argument<string>("dir") { Description = "Folder of images." };
        var container = new Option<string>("--container") { Description = "Target container.", DefaultValueFactory = _ => "images" };
        var prefix = new Option<string>("--prefix") { Description = "Blob name prefix.", DefaultValueFactory = _ => "" };
        var connection = StorageOptions.Connection();
        var accountUrl = StorageOptions.AccountUrl();
        var cmd = new Command("upload", "Upload a folder of images to a storage container.") { dir, container, prefix, connection, accountUrl };
        cmd.SetAction((pr, ct) => ctx.Guard(async token =>
        {
            var files = CommonOptions.ListImages(ctx, pr.GetValue(dir)!);
            var client = StorageOptions.Clients(pr, connection, accountUrl).Blobs.GetBlobContainerClient(pr.GetValue(container));
            await client.CreateIfNotExistsAsync(cancellationToken: token);
            int done = 0;
            await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = token }, async (file, t) =>
            {
                await client.GetBlobClient(pr.GetValue(prefix) + Path.GetFileName(file)).UploadAsync(file, overwrite: true, t);
                Interlocked.Increment(ref done);
            });
            ctx.Out.WriteLine($"uploaded {done} images to {client.Name}");
            return (int)ExitCode.Ok;
        }, ct));
        return cmd;
    }
}
