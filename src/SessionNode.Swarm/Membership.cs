using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace SessionNode.Swarm;

/// <summary>
/// Holds the current <see cref="MembershipSnapshot"/> and publishes replacements. Reads are a
/// volatile field load; the membership source is the only writer.
/// </summary>
public sealed class Membership
{
    private readonly Lock _subscribersLock = new();
    private readonly List<Channel<MembershipSnapshot>> _subscribers = [];
    private MembershipSnapshot _current;

    /// <summary>Creates the holder with an initial view.</summary>
    public Membership(MembershipSnapshot initial) => _current = initial;

    /// <summary>The current view.</summary>
    public MembershipSnapshot Current => Volatile.Read(ref _current);

    /// <summary>Replaces the view (versions must increase) and notifies watchers.</summary>
    public void Publish(MembershipSnapshot snapshot)
    {
        Volatile.Write(ref _current, snapshot);
        lock (_subscribersLock)
        {
            foreach (var s in _subscribers)
            {
                s.Writer.TryWrite(snapshot);
            }
        }
    }

    /// <summary>Yields the current view and then every replacement until cancelled.</summary>
    public async IAsyncEnumerable<MembershipSnapshot> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<MembershipSnapshot>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_subscribersLock)
        {
            _subscribers.Add(channel);
        }

        try
        {
            yield return Current;
            while (await channel.Reader.WaitToReadAsync(cancellationToken))
            {
                while (channel.Reader.TryRead(out var s))
                {
                    yield return s;
                }
            }
        }
        finally
        {
            lock (_subscribersLock)
            {
                _subscribers.Remove(channel);
            }
        }
    }
}
