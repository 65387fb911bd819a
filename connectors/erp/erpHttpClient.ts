import * as http from "node:http";

/** What came back from one POST: an HTTP answer, or no answer at all. */
export type ErpHttpOutcome =
  | { kind: "answer"; status: number; body: unknown; replayed: boolean }
  /** No answer: refused, reset, or timed out. The request may or may not have been processed. */
  | { kind: "no-answer"; reason: "timeout" | "connection"; message: string };

export interface ErpPostOptions {
  idempotencyKey: string;
  /** The whole exchange, connect to last byte. */
  timeoutMs: number;
}

/**
 * Posts one JSON document to the ERP with an `Idempotency-Key` header. Never throws for
 * network trouble: that is an outcome the outbox decides about (retry with the same key).
 * A fresh connection per request (no keep-alive) so a dropped socket never poisons the next.
 */
export function postErpDocument(baseUrl: string, path: string, body: unknown, options: ErpPostOptions): Promise<ErpHttpOutcome> {
  const url = new URL(path, baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`);
  const text = JSON.stringify(body);
  return new Promise<ErpHttpOutcome>((resolve) => {
    let settled = false;
    const settle = (outcome: ErpHttpOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const request = http.request(
      url,
      {
        method: "POST",
        agent: false,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(text),
          accept: "application/json",
          "idempotency-key": options.idempotencyKey,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", (error) => settle({ kind: "no-answer", reason: "connection", message: error.message }));
        response.on("aborted", () => settle({ kind: "no-answer", reason: "connection", message: "the answer was cut off" }));
        response.on("end", () => {
          const raw = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown = raw;
          try {
            parsed = raw === "" ? null : JSON.parse(raw);
          } catch {
            // Not JSON (a proxy's HTML error page, say): keep the text as the answer.
          }
          settle({
            kind: "answer",
            status: response.statusCode ?? 0,
            body: parsed,
            replayed: response.headers["idempotent-replayed"] === "true",
          });
        });
      },
    );
    const timer = setTimeout(() => {
      request.destroy();
      settle({ kind: "no-answer", reason: "timeout", message: `no answer within ${options.timeoutMs} ms` });
    }, options.timeoutMs);
    request.on("error", (error) => settle({ kind: "no-answer", reason: "connection", message: error.message }));
    request.end(text);
  });
}
