import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { duplicateMember } from "./duplicate-members.js";

describe("duplicateMember (RFC 7515 §5.2)", () => {
  it("finds a name given twice in one object, also through escapes and nesting", () => {
    expect(duplicateMember('{"alg":"none","alg":"ES256"}')).toBe("alg");
    expect(duplicateMember('{"a":1,"\\u0061":2}')).toBe("a");
    expect(duplicateMember('{"x":{"k":1,"k":2}}')).toBe("k");
    expect(duplicateMember('[{"k":1},{"k":2,"j":[{"k":3,"k":4}]}]')).toBe("k");
  });

  it("allows the same name in different objects, and strings that look like names", () => {
    expect(duplicateMember('{"k":1,"o":{"k":2}}')).toBeUndefined();
    expect(duplicateMember('[{"k":1},{"k":2}]')).toBeUndefined();
    expect(duplicateMember('{"a":"k","b":["k","k"],"c":"\\":\\""}')).toBeUndefined();
    expect(duplicateMember('{ "a" : 1 , "b" : { } }')).toBeUndefined();
  });

  it("reads escapes around quotes and backslashes, in names and values", () => {
    expect(duplicateMember('{"a\\\\":1,"a\\u005c":2}')).toBe("a\\");
    expect(duplicateMember('{"a\\"":1,"b":"\\\\","a\\u0022":2}')).toBe('a"');
    expect(duplicateMember('{"\\\\":{"\\\\":1},"x\\\\":1,"x\\\\\\\\":2}')).toBeUndefined();
    expect(duplicateMember('{"a":"\\\\\\"","b":"\\"\\\\","a":1}')).toBe("a");
  });

  it("finds duplicates in objects too large to search linearly, and forgets them on close", () => {
    const names = Array.from({ length: 40 }, (_, i) => `"m${i}":${i}`);
    expect(duplicateMember(`{${names.join(",")}}`)).toBeUndefined();
    expect(duplicateMember(`{${names.join(",")},"m7":0}`)).toBe("m7");
    expect(duplicateMember(`{${names.join(",")},"m39":0}`)).toBe("m39");
    expect(duplicateMember(`{${names.join(",")},"o":{${names.join(",")}}}`)).toBeUndefined();
    expect(duplicateMember(`[{${names.join(",")}},{${names.join(",")}}]`)).toBeUndefined();
    expect(duplicateMember(`{"o":{${names.join(",")}},"m1":{"m1":1},"m1":2}`)).toBe("m1");
  });

  it("answers what the plain one-character-at-a-time reading answers, on any JSON", () => {
    const name = fc.oneof(
      fc.constantFrom("a", "b", "\\u0061", 'q\\"', "\\\\", "é", "\u2028", "m0"),
      fc.nat(120).map((i) => `m${i}`),
    );
    const text = fc.letrec<{ value: string; object: string; array: string }>((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        fc.constantFrom("1", "-2.5e3", "true", "null", '"a"', '"\\""', '"\\\\"', '":"', '"{["'),
        tie("object"),
        tie("array"),
      ),
      object: fc
        .array(fc.tuple(name, tie("value"), fc.constantFrom("", " ", "\n\t", "\r ")), { maxLength: 40 })
        .map((members) => `{${members.map(([n, v, ws]) => `"${n}"${ws}:${ws}${v}`).join(",")}}`),
      array: fc.array(tie("value"), { maxLength: 5 }).map((items) => `[ ${items.join(" , ")} ]`),
    })).value;
    fc.assert(
      fc.property(text, (json) => {
        JSON.parse(json);
        expect(duplicateMember(json)).toBe(referenceDuplicateMember(json));
      }),
      { numRuns: 2000 },
    );
  });
});

/** The straightforward reading this module replaced, kept as the oracle. */
function referenceDuplicateMember(text: string): string | undefined {
  const open: (Set<string> | null)[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === "{") open.push(new Set());
    else if (c === "[") open.push(null);
    else if (c === "}" || c === "]") open.pop();
    else if (c === '"') {
      const start = i;
      for (i++; i < text.length && text.charAt(i) !== '"'; i++) {
        if (text.charAt(i) === "\\") i++;
      }
      const members = open.at(-1);
      if (members === undefined || members === null) continue;
      let next = i + 1;
      while (next < text.length && /\s/.test(text.charAt(next))) next++;
      if (text.charAt(next) !== ":") continue;
      const name = JSON.parse(text.slice(start, i + 1)) as string;
      if (members.has(name)) return name;
      members.add(name);
    }
  }
  return undefined;
}
