using System.Text;
using OpsConsole.Simulator.Catalog;

namespace OpsConsole.Simulator.Tracing;

/// <summary>
/// An error as the failing service reports it: the exception's type, message and stack. The services of the demo
/// SaaS are Python services, so the stacks read like Python tracebacks.
/// </summary>
internal sealed record Failure(string Type, string Message, string StackTrace)
{
    public static Failure LlmTimeout(string provider, TimeSpan waited) => Python(
        $"{provider}.APITimeoutError", $"Request timed out after {waited.TotalSeconds:0.0}s.",
        ("rag_service/generation.py", 88, "generate"), ($"{provider}/_base_client.py", 1012, "request"));

    public static Failure LlmServerError(string provider) => Python(
        $"{provider}.InternalServerError", "Error code: 500 - {'error': {'message': 'The server had an error while processing your request.'}}",
        ("rag_service/generation.py", 88, "generate"), ($"{provider}/_base_client.py", 1047, "request"));

    public static Failure VectorStoreTimeout() => Python(
        "qdrant_client.http.exceptions.ResponseHandlingException", "timed out",
        ("rag_service/retrieval.py", 142, "retrieve"), ("qdrant_client/http/api_client.py", 97, "send"));

    public static Failure PoolExhausted(string service) => Python(
        "psycopg_pool.PoolTimeout", "couldn't get a connection after 5.00 sec",
        ($"{Module(service)}/db.py", 57, "fetch"), ("psycopg_pool/pool.py", 203, "getconn"));

    public static Failure Internal(string service, string what) => Python(
        "RuntimeError", what, ($"{Module(service)}/handlers.py", 211, "handle"), ($"{Module(service)}/core.py", 64, "run"));

    public static Failure Unavailable(string upstream) => new(
        "httpx.ConnectError", $"[Errno 111] Connection refused ({upstream}:8080)",
        "Traceback (most recent call last):\n"
        + $"  File \"/app/clients/{Module(upstream)}.py\", line 31, in call\n    response = await self._client.post(path, json=payload)\n"
        + "  File \"/usr/local/lib/python3.12/site-packages/httpx/_transports/default.py\", line 72, in map_httpcore_exceptions\n"
        + $"    raise mapped_exc(message) from exc\nhttpx.ConnectError: [Errno 111] Connection refused ({upstream}:8080)");

    public static Failure ParseError(string fileType) => Python(
        "upload_pipeline.parsing.DocumentParseError", $"could not parse {fileType} document: unexpected end of stream",
        ("upload_pipeline/parsing.py", 119, "parse"), ("upload_pipeline/parsers/" + fileType + ".py", 42, "read"));

    public static Failure EmbeddingTimeout() => Python(
        "ml_engine.embeddings.EmbeddingTimeout", "embedding batch exceeded 30s deadline",
        ("upload_pipeline/stages.py", 77, "embed"), ("ml_engine/embeddings.py", 150, "embed_batch"));

    public static Failure ConsumerTimeout(string topic) => Python(
        "confluent_kafka.KafkaException", $"KafkaError{{code=_TIMED_OUT,val=-185,str=\"Consumer poll timed out on {topic}\"}}",
        ("data_pipeline/consumers.py", 66, "poll_batch"), ("data_pipeline/kafka.py", 23, "poll"));

    public static Failure OutOfMemory() => Python(
        "torch.OutOfMemoryError", "CUDA out of memory. Tried to allocate 2.00 GiB",
        ("ml_engine/training.py", 233, "train_epoch"), ("ml_engine/models/two_tower.py", 98, "forward"));

    public static Failure Gateway(string what) => new("UpstreamError", what, $"UpstreamError: {what}\n    at proxy.forward (gateway/proxy.go:214)\n    at router.serve (gateway/router.go:88)");

    private static readonly string[] AppModules = [.. ServiceNames.All.Select(Module)];

    private static string Module(string service) => service.Replace('-', '_');

    private static Failure Python(string type, string message, params (string File, int Line, string Function)[] frames)
    {
        var stack = new StringBuilder("Traceback (most recent call last):\n");
        foreach (var (file, line, function) in frames)
        {
            var root = AppModules.Any(m => file.StartsWith(m + "/", StringComparison.Ordinal)) ? "/app/" : "/usr/local/lib/python3.12/site-packages/";
            stack.Append("  File \"").Append(root).Append(file).Append("\", line ").Append(line).Append(", in ").Append(function).Append('\n');
        }

        stack.Append(type).Append(": ").Append(message);
        return new Failure(type, message, stack.ToString());
    }
}
