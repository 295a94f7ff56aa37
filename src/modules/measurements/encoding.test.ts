import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeText,
  decodeToUtf8,
  detectEncoding,
  firstInvalidUtf8,
  incompleteUtf8Tail,
  LineCounter,
  TextEncodingError,
  type TextEncoding,
} from './encoding.ts';

/** Feeds `bytes` in chunks of `size` (1 = byte by byte, to split every multi-byte character). */
async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) {
    await Promise.resolve();
    yield bytes.subarray(i, i + size);
  }
}

async function decodeAll(
  bytes: Uint8Array,
  size = 7,
): Promise<{ text: string; encoding: TextEncoding | null; bom: boolean }> {
  let encoding: TextEncoding | null = null;
  let bom = false;
  let text = '';
  for await (const piece of decodeText(chunked(bytes, size), {
    onDetected: (found, hadBom) => {
      encoding = found;
      bom = hadBom;
    },
  })) {
    text += piece;
  }
  return { text, encoding, bom };
}

async function drain(chunks: AsyncIterable<Uint8Array>): Promise<number> {
  let bytes = 0;
  for await (const chunk of chunks) bytes += chunk.length;
  return bytes;
}

async function decodeError(bytes: Uint8Array, size = 7): Promise<TextEncodingError> {
  try {
    await drain(decodeToUtf8(chunked(bytes, size)));
  } catch (error) {
    if (error instanceof TextEncodingError) return error;
    throw error;
  }
  throw new Error('expected a TextEncodingError');
}

const sample =
  'kpi,period,value,note\r\nsatisfaction,2026-01,81.5,"£5 a head — “smart” quotes, ümlauts, 🙂"\r\n';

function utf16be(text: string): Buffer {
  return Buffer.from(text, 'utf16le').swap16();
}

describe('recognising the encoding', () => {
  it.each([
    [[0xef, 0xbb, 0xbf, 0x6b], 'utf-8', 3],
    [[0xff, 0xfe, 0x6b, 0x00], 'utf-16le', 2],
    [[0xfe, 0xff, 0x00, 0x6b], 'utf-16be', 2],
    [[0x6b, 0x00, 0x70, 0x00], 'utf-16le', 0],
    [[0x00, 0x6b, 0x00, 0x70], 'utf-16be', 0],
    [[0x6b, 0x70, 0x69, 0x2c], 'utf-8', 0],
    [[0x6b], 'utf-8', 0],
  ])('%j is %s with a %i-byte BOM', (head, encoding, bomLength) => {
    expect(detectEncoding(Uint8Array.from(head))).toEqual({ ok: true, encoding, bomLength });
  });

  it('refuses UTF-32', () => {
    expect(detectEncoding(Uint8Array.from([0xff, 0xfe, 0, 0]))).toMatchObject({ ok: false });
    expect(detectEncoding(Uint8Array.from([0, 0, 0xfe, 0xff]))).toMatchObject({ ok: false });
  });
});

describe('decoding', () => {
  it('passes UTF-8 through, with or without a BOM, the BOM removed', async () => {
    const plain = await decodeAll(Buffer.from(sample));
    expect(plain).toEqual({ text: sample, encoding: 'utf-8', bom: false });
    const withBom = await decodeAll(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(sample)]));
    expect(withBom).toEqual({ text: sample, encoding: 'utf-8', bom: true });
  });

  it('decodes UTF-16 little- and big-endian, with a BOM or without', async () => {
    const le = Buffer.from(sample, 'utf16le');
    const be = utf16be(sample);
    expect(await decodeAll(Buffer.concat([Buffer.from([0xff, 0xfe]), le]))).toEqual({
      text: sample,
      encoding: 'utf-16le',
      bom: true,
    });
    expect(await decodeAll(Buffer.concat([Buffer.from([0xfe, 0xff]), be]))).toEqual({
      text: sample,
      encoding: 'utf-16be',
      bom: true,
    });
    expect(await decodeAll(le)).toEqual({ text: sample, encoding: 'utf-16le', bom: false });
    expect(await decodeAll(be)).toEqual({ text: sample, encoding: 'utf-16be', bom: false });
  });

  it('handles characters split across chunks at every position', async () => {
    for (const size of [1, 2, 3, 5]) {
      expect((await decodeAll(Buffer.from(sample), size)).text).toBe(sample);
      expect(
        (await decodeAll(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(sample, 'utf16le')]), size))
          .text,
      ).toBe(sample);
    }
  });

  it('yields UTF-8 bytes, each chunk whole characters', async () => {
    for await (const bytes of decodeToUtf8(chunked(Buffer.from(sample), 1))) {
      expect(Buffer.from(bytes.toString('utf8')).equals(bytes)).toBe(true);
    }
  });

  it('decodes an empty file to nothing', async () => {
    expect(await decodeAll(Buffer.alloc(0))).toEqual({ text: '', encoding: null, bom: false });
    expect(await decodeAll(Buffer.from([0xef, 0xbb, 0xbf]))).toEqual({
      text: '',
      encoding: 'utf-8',
      bom: true,
    });
  });
});

describe('refusing other encodings', () => {
  // "it’s £5" in Windows-1252: 0x92 is a right single quote, 0xA3 a pound sign.
  const windows1252Line = Buffer.from([0x69, 0x74, 0x92, 0x73, 0x20, 0xa3, 0x35]);

  it('refuses Windows-1252 text, naming the first bad line, however the file is chunked', async () => {
    const file = Buffer.concat([
      Buffer.from('kpi,period,value,note\r\nk,2026,1,fine\r\nk,2026,2,'),
      windows1252Line,
      Buffer.from('\r\n'),
    ]);
    for (const size of [1, 3, 64, 65_536]) {
      const error = await decodeError(file, size);
      expect(error.line).toBe(3);
      expect(error.message).toBe(
        'The file is not UTF-8 or UTF-16 text (line 3 has characters that are not valid UTF-8). Save it as "CSV UTF-8" and upload it again.',
      );
    }
  });

  it('counts LF, CRLF and lone CR line endings when naming the line', async () => {
    const file = Buffer.concat([Buffer.from('a\nb\r\nc\rd\n\n'), Buffer.from([0xa3])]);
    expect((await decodeError(file, 1)).line).toBe(6);
  });

  it('refuses a file that ends in the middle of a character', async () => {
    const error = await decodeError(Buffer.from([0x61, 0x0a, 0xe2, 0x82]));
    expect(error.line).toBe(2);
  });

  it('refuses UTF-8 forms the standard forbids: overlong, surrogates, beyond U+10FFFF', async () => {
    for (const bad of [
      [0xc0, 0xaf],
      [0xe0, 0x80, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xff],
    ]) {
      await expect(
        decodeError(Buffer.concat([Buffer.from('ok\n'), Buffer.from(bad)])),
      ).resolves.toMatchObject({ line: 2 });
    }
  });

  it('refuses UTF-16 with a lone surrogate, naming the line', async () => {
    const text = Buffer.from('kpi\nk\nbad ', 'utf16le');
    const lone = Buffer.from([0x00, 0xd8, 0x41, 0x00]); // a high surrogate followed by "A"
    for (const size of [1, 3, 1_000]) {
      const error = await decodeError(Buffer.concat([Buffer.from([0xff, 0xfe]), text, lone]), size);
      expect(error.line).toBe(3);
      expect(error.message).toMatch(/^The file is not valid UTF-16 text \(line 3 has a broken character\)/);
    }
  });

  it('refuses UTF-16 with an odd number of bytes', async () => {
    const error = await decodeError(
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('kpi\n', 'utf16le'), Buffer.from([0x41])]),
    );
    expect(error.line).toBe(2);
  });

  it('refuses UTF-32 with a clear message', async () => {
    const error = await decodeError(Buffer.from([0xff, 0xfe, 0, 0, 0x6b, 0, 0, 0]));
    expect(error.message).toBe(
      'The file is UTF-32 text, which is not supported. Save it as "CSV UTF-8" and upload it again.',
    );
  });

  it('closes the source when it stops early', async () => {
    let closed = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        await Promise.resolve(); // as a file stream would
        yield Buffer.from('abc\n');
        yield Buffer.from([0xa3]);
        yield Buffer.from('never read');
      } finally {
        closed = true;
      }
    }
    await expect(drain(decodeToUtf8(source()))).rejects.toThrow(TextEncodingError);
    expect(closed).toBe(true);
  });
});

describe('the UTF-8 helpers agree with the WHATWG decoder', () => {
  const fatal = new TextDecoder('utf-8', { fatal: true });
  const isValid = (bytes: Uint8Array): boolean => {
    try {
      fatal.decode(bytes);
      return true;
    } catch {
      return false;
    }
  };

  it('finds an invalid sequence exactly when the decoder refuses, and the prefix before it is valid', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (bytes) => {
        const bad = firstInvalidUtf8(bytes);
        expect(bad === -1).toBe(isValid(bytes));
        if (bad >= 0) expect(isValid(bytes.subarray(0, bad))).toBe(true);
      }),
      { numRuns: 5_000 },
    );
  });

  it('holds back only the start of a character cut by the chunk end', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.nat(), (text, cut) => {
        const bytes = Buffer.from(text);
        const head = bytes.subarray(0, cut % (bytes.length + 1));
        const tail = incompleteUtf8Tail(head);
        expect(isValid(head.subarray(0, head.length - tail))).toBe(true);
        expect(tail).toBeLessThanOrEqual(3);
      }),
    );
  });
});

describe('counting lines', () => {
  /** Editor lines: LF, CRLF and lone CR each end a line. */
  function reference(text: string): { line: number; column: number } {
    const lines = text.split(/\r\n|\r|\n/);
    return { line: lines.length, column: Buffer.byteLength(lines.at(-1) ?? '') };
  }

  it('counts the same however the bytes are chunked, on the fast and the byte-by-byte paths', () => {
    const piece = fc.constantFrom('a', 'bc', '\n', '\r\n', '\r', 'é', ',');
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 40 }),
        fc.array(fc.nat({ max: 50 }), { maxLength: 5 }),
        (pieces, cuts) => {
          const text = pieces.join('');
          const bytes = Buffer.from(text);
          const counter = new LineCounter();
          let start = 0;
          for (const cut of [...cuts.sort((a, b) => a - b), bytes.length]) {
            const end = Math.min(Math.max(cut, start), bytes.length);
            counter.countBytes(bytes.subarray(start, end));
            start = end;
          }
          const expected = reference(text);
          expect(counter.line).toBe(expected.line);
          // The fast path counts a CR before an LF in the line: the column is exact after the last break.
          if (!text.endsWith('\r')) expect(counter.column).toBe(expected.column);
        },
      ),
    );
  });

  it('stops at the first line longer than the cap, naming it', () => {
    const counter = new LineCounter();
    expect(counter.countBytes(Buffer.from('short\nalso short\n'), undefined, 10)).toBe(false);
    expect(counter.countBytes(Buffer.from('this line is too long\nnext\n'), undefined, 10)).toBe(true);
    expect(counter.line).toBe(3);
    const lone = new LineCounter();
    expect(lone.countBytes(Buffer.from('a\rb\rthis one is long'), undefined, 10)).toBe(true);
    expect(lone.line).toBe(3);
  });
});
