using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components;
using OpsConsole.Web.Auditing;
using OpsConsole.Web.Observability;
using OpsConsole.Web.Security;

namespace OpsConsole.Web.Components.Pages.Account;

/// <summary>
/// The sign-in form, rendered statically and posted as a plain form (antiforgery-protected), so it works before
/// any circuit exists. On success it sets the cookie and goes back where the user was going.
/// </summary>
public partial class Login
{
    private string? _error;

    [Inject] private AccountService Accounts { get; set; } = default!;
    [Inject] private AuditTrail Audit { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;
    [Inject] private LoginThrottle Throttle { get; set; } = default!;

    [CascadingParameter] private HttpContext HttpContext { get; set; } = default!;

    [SupplyParameterFromForm(FormName = "login")]
    private LoginModel Input { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "ReturnUrl")]
    private string? ReturnUrl { get; set; }

    protected override void OnInitialized()
    {
        Input ??= new LoginModel();
        Input.ReturnUrl ??= ReturnUrl;
        if (HttpMethods.IsGet(HttpContext.Request.Method) && HttpContext.User.Identity?.IsAuthenticated == true)
        {
            Navigation.NavigateTo(SafeReturnUrl(Input.ReturnUrl));
        }
    }

    private async Task SignInAsync()
    {
        var throttle = Throttle.TryAcquire(Input.UserName, HttpContext.Connection.RemoteIpAddress?.ToString());
        if (!throttle.Allowed)
        {
            SelfMetrics.SignIns.WithLabels("Throttled").Inc();
            HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            HttpContext.Response.Headers.RetryAfter = throttle.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var seconds = throttle.RetryAfterSeconds;
            _error = (throttle.Reason == "address" ? "Too many sign-in attempts from your address." : "Too many sign-in attempts for this account.")
                + $" Wait {seconds} second{(seconds == 1 ? "" : "s")} and try again.";
            Input.Password = "";
            return;
        }

        var result = await Accounts.PasswordSignInAsync(Input.UserName, Input.Password, HttpContext.RequestAborted);
        SelfMetrics.SignIns.WithLabels(result.Status.ToString()).Inc();
        switch (result.Status)
        {
            case SignInStatus.Succeeded:
                await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, result.Principal!,
                    new AuthenticationProperties { IsPersistent = false });
                await Audit.RecordAsync(result.Principal!, "auth.sign-in", "user", result.Principal!.GetActor(), result.Principal!.GetTenantId(),
                    remoteAddress: HttpContext.Connection.RemoteIpAddress?.ToString(), ct: HttpContext.RequestAborted);
                Navigation.NavigateTo(SafeReturnUrl(Input.ReturnUrl));
                break;
            case SignInStatus.LockedOut:
                var minutes = Math.Max(1, (int)Math.Ceiling((result.LockedUntil!.Value - Time.GetUtcNow()).TotalMinutes));
                _error = $"This account is locked after too many failed sign-ins. Try again in {minutes} minute{(minutes == 1 ? "" : "s")}, or ask an administrator.";
                break;
            default:
                _error = "The user name or password is not right.";
                break;
        }

        Input.Password = "";
    }

    /// <summary>Only local paths: an open redirect would let a phishing link bounce users to another site.</summary>
    internal static string SafeReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal)
            && !returnUrl.StartsWith("/\\", StringComparison.Ordinal) && !returnUrl.StartsWith("/account/", StringComparison.OrdinalIgnoreCase)
            ? returnUrl
            : "/";

    public sealed class LoginModel
    {
        [Required(ErrorMessage = "Enter your user name.")]
        [StringLength(100)]
        public string? UserName { get; set; }

        [Required(ErrorMessage = "Enter your password.")]
        [StringLength(PasswordPolicy.MaxLength)]
        public string? Password { get; set; }

        public string? ReturnUrl { get; set; }
    }
}
