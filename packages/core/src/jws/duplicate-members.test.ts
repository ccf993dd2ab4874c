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
});
