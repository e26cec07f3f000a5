namespace SessionNode.Crypto.Tests;

/// <summary>The buffered CSPRNG nonce source never hands out the same bytes twice, on one thread or many.</summary>
public sealed class RandomNonceSourceTests
{
    private static List<string> Draw(int count, int size)
    {
        var nonces = new List<string>(count);
        var nonce = new byte[size];
        for (var i = 0; i < count; i++)
        {
            RandomNonceSource.Instance.Fill(nonce);
            nonces.Add(Convert.ToHexStringLower(nonce));
        }

        return nonces;
    }

    [Fact]
    public void Fill_ManyMixedSizes_AllDistinctAndNoneZero()
    {
        // Mixed sizes cross block boundaries at different offsets (1024 is no multiple of 24 or 36).
        var nonces = Draw(5000, 12).Concat(Draw(5000, 24)).Concat(Draw(500, 36)).ToList();
        Assert.Equal(nonces.Count, nonces.Distinct().Count());
        Assert.DoesNotContain(nonces, n => n.Trim('0').Length == 0);
    }

    [Fact]
    public async Task Fill_ParallelThreads_AllDistinct()
    {
        var tasks = Enumerable.Range(0, 4).Select(_ => Task.Factory.StartNew(() => Draw(3000, 12), TaskCreationOptions.LongRunning)).ToArray();
        var all = (await Task.WhenAll(tasks)).SelectMany(n => n).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public void Fill_LargerThanBlock_Filled()
    {
        var big = new byte[4096];
        RandomNonceSource.Instance.Fill(big);
        Assert.True(big.Count(b => b == 0) < 100);
    }

    [Fact]
    public void Fill_Empty_DoesNothing()
    {
        RandomNonceSource.Instance.Fill([]);
        Assert.Equal(12, Draw(1, 12)[0].Length / 2);
    }
}
