using FunctionsDrift.Core.Windows;

namespace FunctionsDrift.Core.Tests.Windows;

public sealed class WindowOptionsTests
{
    public static TheoryData<string, WindowOptions> OutOfBounds => new()
    {
        { "window size", new WindowOptions { WindowSize = 1 } },
        { "window size", new WindowOptions { WindowSize = WindowOptions.ReferenceLimit + 1 } },
        { "alpha", new WindowOptions { Alpha = 0 } },
        { "alpha", new WindowOptions { Alpha = 1 } },
        { "alpha", new WindowOptions { Alpha = double.NaN } },
        { "kept reference", new WindowOptions { MaxReference = 1 } },
        { "kept reference", new WindowOptions { MaxReference = WindowOptions.ReferenceLimit + 1 } },
        { "guard band", new WindowOptions { GuardBand = -1 } },
        { "period", new WindowOptions { Period = TimeSpan.Zero } },
    };

    [Theory]
    [MemberData(nameof(OutOfBounds))]
    public void WindowOptions_Validate_OutOfBounds_ThrowsNamingTheSetting(string setting, WindowOptions options)
    {
        var e = Assert.Throws<WindowOptionsException>(options.Validate);
        Assert.Contains(setting, e.Message);
        // The tester applies the same bounds, whatever the reference.
        Assert.Throws<WindowOptionsException>(() => WindowDriftTester.Create(SyntheticStream.Reference(100, seed: 1), options));
    }

    [Fact]
    public void WindowOptions_Validate_DefaultsAndLimitsPass()
    {
        WindowOptions.Defaults.Validate();
        new WindowOptions { WindowSize = 2, Alpha = 1e-9, MaxReference = WindowOptions.ReferenceLimit, GuardBand = 0, Period = TimeSpan.FromMinutes(1) }.Validate();
    }
}
