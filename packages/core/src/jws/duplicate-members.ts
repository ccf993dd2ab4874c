const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \
const COLON = 0x3a; // :
const OPEN_OBJECT = 0x7b; // {
const CLOSE_OBJECT = 0x7d; // }
const OPEN_ARRAY = 0x5b; // [
const CLOSE_ARRAY = 0x5d; // ]

/** Above this many names an object's names go in a Set, so a huge object stays linear. */
const LINEAR_NAMES = 16;

/**
 * The first member name that appears twice in one object of `text`, which must be valid JSON.
 * RFC 7515 §5.2 lets a JWS reader either reject duplicate members or keep the last; two readers
 * of one request must never see different `alg` or `url` values, so this server rejects them.
 * Linear in the text; only called after JSON.parse accepted it.
 *
 * Per request this reads the body, the protected header and the payload, so it is written to
 * cost little: strings are skipped with indexOf (the long base64url ones included), only a name
 * with an escape is decoded with JSON.parse, and an object's names sit in one shared array
 * (searched linearly, being few) until there are more than LINEAR_NAMES of them.
 */
export function duplicateMember(text: string): string | undefined {
  const length = text.length;
  // The names of the open objects, outermost first: names[0 .. count).
  const names: string[] = [];
  let count = 0;
  // One entry per open container: where its names start in `names`, or -1 for an array.
  const open: number[] = [];
  // The Set of an open object that outgrew LINEAR_NAMES, by its depth (index in `open`).
  let sets: (Set<string> | undefined)[] | undefined;
  // The first backslash at or after the string being read (`length` when none is left).
  let backslash = -1;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const start = i;
      let end = text.indexOf('"', start + 1);
      if (end < 0) break; // Not JSON after all: no string ends here.
      if (backslash < start) {
        backslash = text.indexOf("\\", start + 1);
        if (backslash === -1) backslash = length;
      }
      const escaped = backslash < end;
      if (escaped) {
        end = backslash;
        while (end < length && text.charCodeAt(end) !== QUOTE) {
          end += text.charCodeAt(end) === BACKSLASH ? 2 : 1;
        }
      }
      i = end;
      const depth = open.length - 1;
      const first = depth < 0 ? -1 : (open[depth] as number);
      if (first < 0) continue; // Top level or in an array: a value, not a name.
      let next = end + 1;
      let d = text.charCodeAt(next);
      // JSON whitespace (RFC 8259 §2): space, tab, line feed, carriage return.
      while (d === 0x20 || d === 0x09 || d === 0x0a || d === 0x0d) d = text.charCodeAt(++next);
      if (d !== COLON) continue;
      // Decoded, so "a" and "\u0061" are the same name.
      const name = escaped ? (JSON.parse(text.slice(start, end + 1)) as string) : text.slice(start + 1, end);
      const set = sets?.[depth];
      if (set !== undefined) {
        if (set.has(name)) return name;
        set.add(name);
        continue;
      }
      for (let k = first; k < count; k++) if (names[k] === name) return name;
      if (count - first < LINEAR_NAMES) {
        names[count++] = name;
      } else {
        sets ??= [];
        sets[depth] = new Set(names.slice(first, count)).add(name);
      }
    } else if (c === OPEN_OBJECT) {
      open.push(count);
    } else if (c === OPEN_ARRAY) {
      open.push(-1);
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      const first = open.pop() as number;
      if (first >= 0) count = first;
      if (sets !== undefined && sets.length > open.length) sets.length = open.length;
    }
  }
  return undefined;
}
