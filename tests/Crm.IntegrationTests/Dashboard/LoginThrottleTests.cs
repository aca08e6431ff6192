using Crm.Dashboard.Security;
using Microsoft.Extensions.Options;

namespace Crm.IntegrationTests.Dashboard;

/// <summary>The sign-in delay schedule, the security settings' start-up check and which listening addresses count as loopback for /metrics (#16), without a server.</summary>
public sealed class LoginThrottleTests
{
    [Fact]
    public void DelayAfter_IsNoneForTheFreeAttempts_ThenDoubles_UpToTheMaximum()
    {
        var defaults = new LoginThrottleOptions(); // 3 free, 1 s, at most 16 s

        var delays = Enumerable.Range(1, 10).Select(n => LoginThrottle.DelayAfter(n, defaults).TotalSeconds).ToArray();

        Assert.Equal([0, 0, 0, 1, 2, 4, 8, 16, 16, 16], delays);
    }

    [Fact]
    public void RecordFailure_CountsNameAndAddressApart_AndASuccessClearsOnlyTheName()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        var settings = new DashboardSecurityOptions { LoginThrottle = { UserLockoutFailures = 3, AddressLockoutFailures = 4, LockoutMinutes = 5 } };
        var throttle = new LoginThrottle(clock, new FixedOptions(settings));

        var first = throttle.RecordFailure("ann", "10.0.0.1");
        var second = throttle.RecordFailure("ann", "10.0.0.1");
        throttle.RecordSuccess("ann");
        var otherName = throttle.RecordFailure("bob", "10.0.0.1");
        var fourthFromAddress = throttle.RecordFailure("cy", "10.0.0.1");
        var annElsewhere = throttle.Check("ann", "10.0.0.2");
        var addressNow = throttle.Check("ann", "10.0.0.1");
        clock.Advance(TimeSpan.FromMinutes(6));
        var addressLater = throttle.Check("ann", "10.0.0.1");

        Assert.Equal((false, 1), (first.LockedOut, first.Failures));
        Assert.Equal((false, 2), (second.LockedOut, second.Failures));
        Assert.Equal((false, 3), (otherName.LockedOut, otherName.Failures)); // the address's third, bob's first
        Assert.True(fourthFromAddress is { LockedOut: true, JustLocked: true });
        Assert.False(annElsewhere.LockedOut);
        Assert.True(addressNow.LockedOut);
        Assert.Equal(TimeSpan.FromMinutes(5), addressNow.RetryAfter);
        Assert.False(addressLater.LockedOut);
    }

    [Fact]
    public void Validator_NamesEveryBadSetting_WithTheValueItGot()
    {
        var options = new DashboardSecurityOptions
        {
            KnownProxies = ["proxy.local"],
            KnownNetworks = ["10.0.0.0/40"],
            LoginThrottle = { DelaySeconds = 5, MaxDelaySeconds = 2, UserLockoutFailures = 0 },
            Metrics = { Anonymous = "sometimes", BearerToken = "short" },
        };

        var result = new DashboardSecurityOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Equal(
        [
            "Crm:Dashboard:KnownProxies:0 'proxy.local' is not an IP address; give the reverse proxy's address, e.g. 127.0.0.1",
            "Crm:Dashboard:KnownNetworks:0 '10.0.0.0/40' is not a network in CIDR form; write it like 10.0.0.0/8",
            "Crm:Dashboard:LoginThrottle:UserLockoutFailures must be at least 1 (got 0)",
            "Crm:Dashboard:LoginThrottle:MaxDelaySeconds must be between DelaySeconds (5) and 60 (got 2)",
            "Crm:Dashboard:Metrics:Anonymous 'sometimes' is not one of auto, always, never",
            "Crm:Dashboard:Metrics:BearerToken is 5 characters long; use at least 16 random characters (e.g. from `openssl rand -hex 24`), or remove it",
        ], result.Failures);
        Assert.True(new DashboardSecurityOptionsValidator().Validate(null, new DashboardSecurityOptions()).Succeeded);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080", true)]
    [InlineData("http://127.0.0.2:5080", true)]
    [InlineData("http://[::1]:5080", true)]
    [InlineData("http://localhost:5080", true)]
    [InlineData("http://0.0.0.0:5080", false)]
    [InlineData("http://[::]:5080", false)]
    [InlineData("http://*:5080", false)]
    [InlineData("http://+:5080", false)]
    [InlineData("http://10.0.0.5:5080", false)]
    [InlineData("http://dashboard.example.org:5080", false)]
    public void AListeningAddress_IsLoopbackOnly_WhenNoOtherMachineCanReachIt(string address, bool loopback) =>
        Assert.Equal(loopback, MetricsAccess.IsLoopbackAddress(address));

    private sealed class FixedOptions(DashboardSecurityOptions value) : IOptionsMonitor<DashboardSecurityOptions>
    {
        public DashboardSecurityOptions CurrentValue => value;

        public DashboardSecurityOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<DashboardSecurityOptions, string?> listener) => null;
    }
}
