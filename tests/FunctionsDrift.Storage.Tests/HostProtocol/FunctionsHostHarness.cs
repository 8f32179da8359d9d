using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Threading.Channels;
using FunctionsDrift.Storage.Tests.HostProtocol.Rpc;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FunctionsDrift.Storage.Tests.HostProtocol;

/// <summary>
/// Plays the Functions host's side of the worker protocol for a test: serves <c>FunctionRpc.EventStream</c> on a loopback
/// port and starts the built isolated worker as the host does (<c>dotnet App.dll</c> with the host's command-line switches,
/// <c>FUNCTIONS_WORKER_RUNTIME</c> and the app settings in the environment). Messages from the worker are queued;
/// <see cref="RpcLog"/> messages are kept apart in <see cref="Logs"/>. A test fixture, not a host: one stream, no retries.
/// </summary>
public sealed class FunctionsHostHarness : IAsyncDisposable
{
    private readonly Channel<StreamingMessage> _fromWorker = Channel.CreateUnbounded<StreamingMessage>();
    private readonly TaskCompletionSource<IServerStreamWriter<StreamingMessage>> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _streamDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly StringBuilder _workerOutput = new();
    private WebApplication? _app;
    private Process? _worker;

    public string WorkerId { get; } = Guid.NewGuid().ToString();

    /// <summary>Every RpcLog the worker sent (its ILogger output forwarded to the host).</summary>
    public ConcurrentQueue<RpcLog> Logs { get; } = new();

    /// <summary>The worker's console output so far (for failure messages).</summary>
    public string WorkerOutput
    {
        get { lock (_workerOutput) return _workerOutput.ToString(); }
    }

    /// <summary>Starts the gRPC endpoint and the worker, and waits for the worker's StartStream.</summary>
    public async Task<StartStream> StartAsync(string workerDirectory, string workerAssembly, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = null);
        builder.Services.AddSingleton(this);
        _app = builder.Build();
        _app.MapGrpcService<HostEndpoint>();
        await _app.StartAsync();
        var address = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

        // The switches the host passes (the older pair and the --functions-* pair that Worker 2.x reads).
        var requestId = Guid.NewGuid().ToString();
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workerDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { workerAssembly, "--host", address.Host, "--port", $"{address.Port}", "--workerId", WorkerId, "--requestId", requestId,
                     "--grpcMaxMessageLength", "2147483647", "--functions-uri", address.ToString(), "--functions-worker-id", WorkerId,
                     "--functions-request-id", requestId, "--functions-grpc-max-message-length", "2147483647" })
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }
        _worker = Process.Start(psi) ?? throw new InvalidOperationException("could not start the worker");
        _worker.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_workerOutput) _workerOutput.AppendLine(e.Data); };
        _worker.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_workerOutput) _workerOutput.AppendLine(e.Data); };
        _worker.BeginOutputReadLine();
        _worker.BeginErrorReadLine();

        var first = await ReceiveAsync(m => m.ContentCase == StreamingMessage.ContentOneofCase.StartStream, timeout);
        return first.StartStream;
    }

    /// <summary>Sends one message to the worker and waits for the first message that <paramref name="isAnswer"/> accepts.</summary>
    public async Task<StreamingMessage> RequestAsync(StreamingMessage request, Func<StreamingMessage, bool> isAnswer, TimeSpan timeout)
    {
        await SendAsync(request, timeout);
        return await ReceiveAsync(isAnswer, timeout);
    }

    public async Task SendAsync(StreamingMessage message, TimeSpan timeout)
    {
        var stream = await _stream.Task.WaitAsync(timeout);
        await _writeLock.WaitAsync();
        try
        {
            await stream.WriteAsync(message);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>The next message from the worker that <paramref name="accept"/> takes; others (besides logs) are dropped.</summary>
    public async Task<StreamingMessage> ReceiveAsync(Func<StreamingMessage, bool> accept, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var message = await _fromWorker.Reader.ReadAsync(cts.Token);
                if (accept(message))
                {
                    return message;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            var state = _worker is null ? "not started" : _worker.HasExited ? $"exited with {_worker.ExitCode}" : "running";
            throw new TimeoutException($"no expected message from the worker within {timeout} (worker {state}). Worker output:\n{Tail(WorkerOutput)}");
        }
    }

    private static string Tail(string s) => s.Length <= 6000 ? s : s[^6000..];

    private void Accept(StreamingMessage message)
    {
        if (message.ContentCase == StreamingMessage.ContentOneofCase.RpcLog)
        {
            Logs.Enqueue(message.RpcLog);
            return;
        }
        _fromWorker.Writer.TryWrite(message);
    }

    public async ValueTask DisposeAsync()
    {
        _streamDone.TrySetResult();
        if (_worker is { HasExited: false })
        {
            _worker.Kill(entireProcessTree: true);
            await _worker.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
        }
        _worker?.Dispose();
        if (_app is not null)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(stop.Token);
            await _app.DisposeAsync();
        }
        _writeLock.Dispose();
    }

    /// <summary>The host's gRPC endpoint: one EventStream, handed to the harness.</summary>
    private sealed class HostEndpoint(FunctionsHostHarness harness) : FunctionRpc.FunctionRpcBase
    {
        public override async Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context)
        {
            if (!harness._stream.TrySetResult(responseStream))
            {
                throw new Grpc.Core.RpcException(new Status(StatusCode.AlreadyExists, "the harness serves one worker stream"));
            }
            var reading = Task.Run(async () =>
            {
                try
                {
                    await foreach (var message in requestStream.ReadAllAsync(context.CancellationToken))
                    {
                        harness.Accept(message);
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or IOException or Grpc.Core.RpcException)
                {
                }
                harness._fromWorker.Writer.TryComplete();
            });
            // The response stream must stay open until the test is done with the worker.
            await Task.WhenAny(harness._streamDone.Task, reading, Task.Delay(Timeout.Infinite, context.CancellationToken));
        }
    }
}
