using System.CommandLine;
using Azure.Core;
using FunctionsDrift.Cli;
using FunctionsDrift.Cli.Commands;

namespace FunctionsDrift.Cli.Tests;

/// <summary>
/// <c>--account-url</c> of the storage verbs: an account with shared keys off is reached with an Entra ID token, the queue
/// and table endpoints derived from the blob endpoint; bad values are usage errors.
/// </summary>
public sealed class StorageOptionsTests
{
    [Theory]
    [InlineData("https://driftdata.blob.core.windows.net", "https://driftdata.blob.core.windows.net/")]
    [InlineData(" https://driftdata.blob.core.windows.net/ ", "https://driftdata.blob.core.windows.net/")]
    [InlineData("https://driftdata.blob.core.chinacloudapi.cn", "https://driftdata.blob.core.chinacloudapi.cn/")]
    public void BlobEndpoint_AcceptsAnAccountsBlobEndpoint(string value, string expected) =>
        Assert.Equal(expected, StorageOptions.BlobEndpoint(value).AbsoluteUri);

    [Theory]
    [InlineData("driftdata")]
    [InlineData("http://driftdata.blob.core.windows.net")]
    [InlineData("https://driftdata.table.core.windows.net")]
    [InlineData("https://driftdata.blob.core.windows.net/images")]
    [InlineData("https://driftdata.blob.core.windows.net/?sv=2024&sig=abc")]
    public void BlobEndpoint_RejectsAnythingElse_AsAUsageError(string value)
    {
        var e = Assert.Throws<CliException>(() => StorageOptions.BlobEndpoint(value));
        Assert.Equal(ExitCode.Usage, e.Code);
        Assert.Contains("--account-url", e.Message);
    }

    [Fact]
    public async Task Clients_WithAccountUrl_UseTheAccountsEndpointsAndAskTheCredentialForAStorageToken()
    {
        var (pr, connection, accountUrl) = Parse("--account-url", "https://driftdata.blob.core.windows.net");
        var credential = new RecordingCredential();
        var clients = StorageOptions.Clients(pr, connection, accountUrl, credential);

        Assert.Equal("https://driftdata.blob.core.windows.net/", clients.Blobs.Uri.AbsoluteUri);
        Assert.Equal("https://driftdata.queue.core.windows.net/", clients.Queues.Uri.AbsoluteUri);
        Assert.Equal("https://driftdata.table.core.windows.net/", clients.Tables.Uri.AbsoluteUri);
        Assert.Equal("driftdata", clients.Blobs.AccountName);
        Assert.False(clients.Blobs.CanGenerateAccountSasUri); // no shared key anywhere

        // Every request is authorised with a bearer token for Azure Storage; the credential stops it before the network.
        await Assert.ThrowsAsync<RecordingCredential.Asked>(() => clients.Blobs.GetBlobContainerClient("images").ExistsAsync());
        await Assert.ThrowsAsync<RecordingCredential.Asked>(() => StorageOptions.Results(clients, "driftresults").Table.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>("p", "r"));
        Assert.Equal(["https://storage.azure.com/.default", "https://storage.azure.com/.default"], credential.Scopes);
    }

    [Fact]
    public void Clients_WithoutAccountUrl_UseTheConnectionString()
    {
        var (pr, connection, accountUrl) = Parse("--connection", "UseDevelopmentStorage=true");
        var clients = StorageOptions.Clients(pr, connection, accountUrl);
        Assert.Equal("devstoreaccount1", clients.Blobs.AccountName);
        Assert.True(clients.Blobs.CanGenerateAccountSasUri);
    }

    [Fact]
    public void Clients_WithBothConnectionAndAccountUrl_IsAUsageError()
    {
        var (pr, connection, accountUrl) = Parse("--connection", "UseDevelopmentStorage=true", "--account-url", "https://driftdata.blob.core.windows.net");
        var e = Assert.Throws<CliException>(() => StorageOptions.Clients(pr, connection, accountUrl));
        Assert.Equal(ExitCode.Usage, e.Code);
    }

    [Theory]
    [InlineData("results")]
    [InlineData("summary")]
    [InlineData("upload")]
    public async Task StorageVerbs_TakeAccountUrl_AndReportABadOneAsUsage(string verb)
    {
        string[] args = verb == "upload" ? [verb, Path.GetTempPath(), "--account-url", "http://x.blob.core.windows.net"] : [verb, "--account-url", "http://x.blob.core.windows.net"];
        var (code, _, stderr) = await CliEndToEndTests.Run(args);
        Assert.Equal((int)ExitCode.Usage, code);
        Assert.Contains("--account-url must be an account's blob endpoint", stderr);
    }

    private static (ParseResult, Option<string>, Option<string?>) Parse(params string[] args)
    {
        var connection = StorageOptions.Connection();
        var accountUrl = StorageOptions.AccountUrl();
        var command = new RootCommand { connection, accountUrl };
        var pr = command.Parse(args);
        Assert.Empty(pr.Errors);
        return (pr, connection, accountUrl);
    }

    private sealed class RecordingCredential : TokenCredential
    {
        public sealed class Asked : Exception;

        public List<string> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Scopes.AddRange(requestContext.Scopes);
            throw new Asked();
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
