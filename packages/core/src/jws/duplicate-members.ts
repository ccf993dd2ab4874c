/**
 * The first member name that appears twice in one object of `text`, which must be valid JSON.
 * RFC 7515 §5.2 lets a JWS reader either reject duplicate members or keep the last; two readers
 * of one request must never see different `alg` or `url` values, so this server rejects them.
 * Linear in the text; only called after JSON.parse accepted it.
 */
export function duplicateMember(text: string): string | undefined {
  // One entry per open container: the member names seen so far, or null for an array.
  const open: (Set<string> | null)[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */) open.push(new Set());
    else if (c === 0x5b /* [ */) open.push(null);
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) open.pop();
    else if (c === 0x22 /* " */) {
      const start = i;
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) {
        if (text.charCodeAt(i) === 0x5c /* \ */) i++;
      }
      const members = open.at(-1);
      if (members === undefined || members === null) continue;
      let next = i + 1;
      while (next < text.length && /\s/.test(text.charAt(next))) next++;
      if (text.charAt(next) !== ":") continue;
      // Decoded, so "a" and "\u0061" are the same name.
      const name = JSON.parse(text.slice(start, i + 1)) as string;
      if (members.has(name)) return name;
      members.add(name);
    }
  }
  return undefined;
}
