/**
 * Reads a body of at most `maxBytes` from chunks (a Node request or a web stream are both async
 * iterables of bytes): the bytes, or `undefined` as soon as it is larger (reading stops there).
 */
export async function readBounded(chunks: AsyncIterable<Uint8Array | string>, maxBytes: number): Promise<Uint8Array | undefined> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    const bytes = typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk;
    size += bytes.length;
    if (size > maxBytes) return undefined;
    parts.push(bytes);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    body.set(part, offset);
    offset += part.length;
  }
  return body;
}

/** The chunks of a web `ReadableStream`, for runtimes whose streams are not async iterable. */
export async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
