using System.Text.Json;
using System.Text.Json.Nodes;
using static SessionNode.Integration.Tests.TestData;

namespace SessionNode.Integration.Tests;

/// <summary>batch, sequence and ifelse (client-rpc.md §9.14–§9.16).</summary>
public sealed class MetaRequestTests
{
    [Fact]
    public async Task Batch_RunsAllAndReportsInOrder()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var store = f.Requests.Store(user, Bytes(), new Namespace(2));
        var badRetrieve = f.Requests.Retrieve(user).WithBadSignature();
        var retrieve = f.Requests.Retrieve(user, new Namespace(2));
        var info = f.Requests.Info();

        var result = await f.Client.BatchAsync([store, badRetrieve, retrieve, info], NodeFixture.Ct);

        Assert.Equal([200, 401, 200, 200], result.Results.Select(r => r.Code));
        var stored = result.Results[0].As(store);
        Assert.True(stored.SignaturesValid);
        Assert.Equal("retrieve signature verification failed", result.Results[1].BodyText);
        Assert.Equal(JsonValueKind.String, result.Results[1].Body.ValueKind);
        Assert.Equal(stored.ExpectedHash, Assert.Single(result.Results[2].As(retrieve).Messages).Hash);
        Assert.Equal([2, 8, 0], result.Results[3].As(info).Version);
    }

    [Fact]
    public async Task Batch_TopLevelHasOnlyResults()
    {
        await using var f = await NodeFixture.StartAsync();

        var response = await f.Client.SendRawAsync(f.Requests.Batch(f.Requests.Info()), NodeFixture.Ct);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(["results"], JsonNode.Parse(response.BodyText)!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task Sequence_StopsAfterFirstFailure()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var first = f.Requests.Store(user, Bytes());
        var failing = f.Requests.Store(user, Bytes(), new Namespace(2), sign: false);
        var never = f.Requests.Store(user, Bytes());

        var result = await f.Client.SequenceAsync([first, failing, never], NodeFixture.Ct);

        Assert.Equal([200, 401], result.Results.Select(r => r.Code));
        Assert.Equal("store: signature required to store to namespace 2", result.Results[1].BodyText);
        var page = await f.Client.RetrieveAsync(user, cancellationToken: NodeFixture.Ct);
        Assert.Equal(result.Results[0].As(first).ExpectedHash, Assert.Single(page.Messages).Hash);
    }

    [Fact]
    public async Task Sequence_AllSucceed_AllRun()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var store = f.Requests.Store(user, Bytes());

        var result = await f.Client.SequenceAsync([store, f.Requests.Retrieve(user), f.Requests.Info()], NodeFixture.Ct);

        Assert.Equal([200, 200, 200], result.Results.Select(r => r.Code));
        Assert.True(result.Results[0].As(store).SignaturesValid);
    }

    [Fact]
    public async Task IfElse_ConditionTrue_RunsThen()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var store = f.Requests.Store(user, Bytes());

        var result = await f.Client.IfElseAsync(new IfElseCondition { HardForkAtLeast = [19, 4] }, store, f.Requests.Info(), NodeFixture.Ct);

        Assert.True(result.Condition);
        Assert.Equal(new HardFork(19, 4), result.HardFork);
        Assert.Equal([2, 8, 0], result.Version);
        Assert.Equal(200, result.Result!.Code);
        Assert.True(result.Result.As(store).SignaturesValid);
    }

    [Fact]
    public async Task IfElse_ConditionFalse_RunsElse()
    {
        await using var f = await NodeFixture.StartAsync();
        var info = f.Requests.Info();

        var result = await f.Client.IfElseAsync(
            new IfElseCondition { VersionAtLeast = [2, 8, 0], HardForkBefore = [19, 4] },
            f.Requests.Store(f.NewUser(), Bytes()),
            info,
            NodeFixture.Ct);

        Assert.False(result.Condition);
        f.AssertTime(f.Now, result.Result!.As(info).Timestamp);
    }

    [Fact]
    public async Task IfElse_SelectedBranchMissing_NoResult()
    {
        await using var f = await NodeFixture.StartAsync();

        var result = await f.Client.IfElseAsync(new IfElseCondition { HeightBefore = 0 }, f.Requests.Info(), null, NodeFixture.Ct);

        Assert.False(result.Condition);
        Assert.Null(result.Result);
    }

    [Fact]
    public async Task IfElse_FiveLevelsAroundBatch_Works()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var store = f.Requests.Store(user, Bytes());
        var retrieve = f.Requests.Retrieve(user);
        RpcRequest request = f.Requests.Batch(store, retrieve);
        for (var i = 0; i < 5; i++)
        {
            request = f.Requests.IfElse(new IfElseCondition { HeightAtLeast = 0 }, request);
        }

        var response = await f.Client.SendRawAsync(request, NodeFixture.Ct);

        Assert.Equal(200, response.StatusCode);
        var outer = ((RpcRequest<IfElseResult>)request).ParseResponse(response.Body);
        var level = outer;
        for (var i = 0; i < 4; i++)
        {
            Assert.True(level.Condition);
            level = level.Result!.As(f.Requests.IfElse(new IfElseCondition { HeightAtLeast = 0 }, null));
        }

        var batch = level.Result!.As(f.Requests.Batch());
        Assert.True(batch.Results[0].As(store).SignaturesValid);
        Assert.Single(batch.Results[1].As(retrieve).Messages);
    }

    [Fact]
    public async Task Batch_TooMany_400()
    {
        await using var f = await NodeFixture.StartAsync();

        await f.AssertFailsAsync(f.Requests.Batch(Enumerable.Range(0, 21).Select(_ => f.Requests.Info())), 400, "invalid request: Invalid batch request: subrequest limit exceeded");
        var twenty = await f.Client.BatchAsync(Enumerable.Range(0, 20).Select(_ => f.Requests.Info()), NodeFixture.Ct);
        Assert.Equal(20, twenty.Results.Count);
    }

    [Fact]
    public async Task Batch_Empty_400()
    {
        await using var f = await NodeFixture.StartAsync();

        await f.AssertFailsAsync(f.Requests.Batch(), 400, "invalid request: Invalid batch request: no valid \"requests\" field");
        await f.AssertFailsAsync(f.Requests.Sequence(), 400, "invalid request: Invalid batch request: no valid \"requests\" field");
    }

    [Fact]
    public async Task Batch_NestedMetaRequest_400()
    {
        await using var f = await NodeFixture.StartAsync();

        await f.AssertFailsAsync(f.Requests.Batch(f.Requests.Batch(f.Requests.Info())), 400, "invalid request: Invalid batch subrequest: subrequests may not contain meta-requests");
    }

    [Fact]
    public async Task Batch_UnknownSubrequestMethod_400()
    {
        await using var f = await NodeFixture.StartAsync();

        await f.AssertFailsAsync(f.Requests.Batch(new RpcRequest("nope", [])), 400, "invalid request: Invalid batch subrequest: invalid method \"nope\"");
    }

    [Fact]
    public async Task Batch_MalformedElements_400()
    {
        await using var f = await NodeFixture.StartAsync();

        await f.AssertFailsAsync("batch", new JsonObject { ["requests"] = new JsonArray(5) }, 400, "invalid request: Invalid batch request: requests must be objects");
        await f.AssertFailsAsync("batch", new JsonObject { ["requests"] = new JsonArray(new JsonObject { ["method"] = "info" }) }, 400, "invalid request: Invalid batch request: subrequests must have method/params keys");
    }

    [Fact]
    public async Task Batch_SubrequestParseError_FailsWholeBatch()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(
            f.Requests.Batch(f.Requests.Info(), f.Requests.Delete(user, [])),
            400,
            "invalid request: messages does not contain any message hashes");
    }

    [Fact]
    public async Task IfElse_NoCondition_400()
    {
        await using var f = await NodeFixture.StartAsync();

        await f.AssertFailsAsync(f.Requests.IfElse(new IfElseCondition(), f.Requests.Info()), 400, "invalid request: Invalid ifelse request: must specify at least one \"if\" condition");
    }

    [Fact]
    public async Task IfElse_NoBranches_400()
    {
        await using var f = await NodeFixture.StartAsync();

        await f.AssertFailsAsync(f.Requests.IfElse(new IfElseCondition { HeightAtLeast = 0 }, null), 400, "invalid request: Invalid ifelse request: at least one of \"then\"/\"else\" required");
    }

    [Fact]
    public async Task IfElse_UnknownBranchMethod_400NamesBranch()
    {
        await using var f = await NodeFixture.StartAsync();

        await f.AssertFailsAsync(f.Requests.IfElse(new IfElseCondition { HeightAtLeast = 0 }, new RpcRequest("nope", [])), 400, "invalid request: Invalid ifelse request method \"then\"");
    }
}
