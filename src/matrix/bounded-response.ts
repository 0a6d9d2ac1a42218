// Reading HTTP answers from a homeserver without trusting their size.

/** The body, unless it is longer than `maxBytes` (then reading stops) or breaks off. */
export async function readAtMost(
  response: Response,
  maxBytes: number,
): Promise<Buffer | "too-large" | "failed"> {
  const body = response.body;
  if (body === null) return Buffer.alloc(0);
  const declared = response.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) {
    await body.cancel().catch(() => undefined);
    return "too-large";
  }
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return Buffer.concat(chunks, total);
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        return "too-large";
      }
      chunks.push(value);
    }
  } catch {
    return "failed";
  }
}

/** The Matrix `errcode` of an error answer, reading no more than a small error body. */
export async function errcodeOf(response: Response): Promise<string | null> {
  const body = await readAtMost(response, 64 * 1024);
  if (typeof body === "string") return null;
  try {
    const json: unknown = JSON.parse(body.toString("utf8"));
    return typeof json === "object" &&
      json !== null &&
      "errcode" in json &&
      typeof json.errcode === "string"
      ? json.errcode
      : null;
  } catch {
    return null;
  }
}
