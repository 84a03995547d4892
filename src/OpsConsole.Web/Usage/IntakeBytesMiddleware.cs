using OpsConsole.Domain.Tenancy;
using OpsConsole.Web.Security;

namespace OpsConsole.Web.Usage;

/// <summary>
/// Counts the body bytes of accepted intake requests (OTLP/HTTP, OTLP/gRPC and the native JSON intake) into the usage
/// meter: under the sender's tenant when its key (or tenant admin) is bound to one or an admin named it with
/// <c>?tenant=</c>, else shared out by the tenants' items of the hour (see <see cref="UsageMeter.RecordIntakeBytes"/>).
/// </summary>
public sealed class IntakeBytesMiddleware(RequestDelegate next, UsageMeter meter, TimeProvider time)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method) || !IsIntake(context.Request.Path))
        {
            await next(context);
            return;
        }

        var counting = new CountingReadStream(context.Request.Body);
        context.Request.Body = counting;
        try
        {
            await next(context);
        }
        finally
        {
            context.Request.Body = counting.Inner;
        }

        if (context.Response.StatusCode is >= 200 and < 300)
        {
            var tenant = context.User.GetTenantId();
            if (tenant is null && context.Request.Query["tenant"] is [{ } named] && TenantIds.IsValid(named))
            {
                tenant = named;
            }

            meter.RecordIntakeBytes(tenant, counting.BytesRead, time.GetUtcNow());
        }
    }

    internal static bool IsIntake(PathString path) =>
        path.StartsWithSegments("/v1/traces") || path.StartsWithSegments("/v1/metrics") || path.StartsWithSegments("/v1/logs")
        || path.StartsWithSegments("/opentelemetry.proto.collector")
        || path.StartsWithSegments("/api/v1/monitoring/traces") || path.StartsWithSegments("/api/v1/monitoring/metrics")
        || path.StartsWithSegments("/api/v1/monitoring/logs") || path.StartsWithSegments("/api/v1/monitoring/health-checks");

    private sealed class CountingReadStream(Stream inner) : Stream
    {
        public Stream Inner => inner;

        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Counted(await inner.ReadAsync(buffer, cancellationToken));

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Counted(await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken));

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Counted(int read)
        {
            BytesRead += read;
            return read;
        }
    }
}
