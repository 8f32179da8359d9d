using System.Security.Claims;
using System.Text.Json;
using Azure.Core.Serialization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsDrift.Storage.Tests;

/// <summary>
/// Just enough of the isolated worker's HTTP types to call an HTTP function's method directly (Core Tools, which would
/// host them, cannot be installed offline). Responses serialise with the worker's default (web) JSON options.
/// </summary>
internal static class FakeHttp
{
    public static async Task<(int Status, JsonDocument Body)> InvokeAsync(Func<HttpRequestData, Task<HttpResponseData>> run, string url, string method = "GET")
    {
        var res = await run(new FakeRequest(new Uri(url), method));
        res.Body.Position = 0;
        return ((int)res.StatusCode, await JsonDocument.ParseAsync(res.Body));
    }

    private sealed class FakeContext : FunctionContext
    {
        public override string InvocationId => "test";
        public override string FunctionId => "test";
        public override TraceContext TraceContext => null!;
        public override BindingContext BindingContext => null!;
        public override RetryContext RetryContext => null!;
        public override IServiceProvider InstanceServices { get; set; } = new ServiceCollection()
            .Configure<WorkerOptions>(o => o.Serializer = new JsonObjectSerializer(new JsonSerializerOptions(JsonSerializerDefaults.Web)))
            .BuildServiceProvider();
        public override FunctionDefinition FunctionDefinition => null!;
        public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();
        public override Microsoft.Azure.Functions.Worker.IInvocationFeatures Features => null!;
    }

    private sealed class FakeRequest(Uri url, string method) : HttpRequestData(new FakeContext())
    {
        public override Stream Body { get; } = new MemoryStream();
        public override HttpHeadersCollection Headers { get; } = [];
        public override IReadOnlyCollection<IHttpCookie> Cookies { get; } = [];
        public override Uri Url { get; } = url;
        public override IEnumerable<ClaimsIdentity> Identities { get; } = [];
        public override string Method => method;
        public override HttpResponseData CreateResponse() => new FakeResponse(FunctionContext);
    }

    private sealed class FakeResponse(FunctionContext context) : HttpResponseData(context)
    {
        public override System.Net.HttpStatusCode StatusCode { get; set; }
        public override HttpHeadersCollection Headers { get; set; } = [];
        public override Stream Body { get; set; } = new MemoryStream();
        public override HttpCookies Cookies => null!;
    }
}
