import { err, ok, type Result } from "neverthrow";
import type { Tag } from "../domain/types.js";
import { type ManagementError, validationError } from "./errors.js";

/** `value` must be one of `allowed`; the error lists them. */
export function oneOf<T extends string>(
  field: string,
  value: unknown,
  allowed: readonly T[],
): Result<T, ManagementError> {
  return typeof value === "string" && (allowed as readonly string[]).includes(value)
    ? ok(value as T)
    : err(
        validationError(
          field,
          `${field} must be one of ${allowed.join(", ")}; got ${JSON.stringify(value)}.`,
        ),
      );
}

/** AWS-style tags: key 1–128 characters, value 0–256, at most 50, keys unique. */
export function validateTags(field: string, value: unknown): Result<Tag[], ManagementError> {
  if (value === undefined) return ok([]);
  if (!Array.isArray(value)) return err(validationError(field, `${field} must be an array of {key, value}.`));
  if (value.length > 50) return err(validationError(field, `${field} may have at most 50 tags.`));
  const keys = new Set<string>();
  const tags: Tag[] = [];
  for (const [i, tag] of value.entries()) {
    const key = (tag as { key?: unknown })?.key;
    const val = (tag as { value?: unknown })?.value ?? "";
    if (typeof key !== "string" || key.length < 1 || key.length > 128) {
      return err(validationError(`${field}[${i}].key`, "A tag key must be a string of 1 to 128 characters."));
    }
    if (typeof val !== "string" || val.length > 256) {
      return err(
        validationError(`${field}[${i}].value`, "A tag value must be a string of at most 256 characters."),
      );
    }
    if (keys.has(key))
      return err(validationError(`${field}[${i}].key`, `Tag key ${JSON.stringify(key)} appears twice.`));
    keys.add(key);
    tags.push({ key, value: val });
  }
  return ok(tags);
}

/** A request object must not carry fields the operation does not know: they are usually typos. */
export function knownFields(
  input: object,
  allowed: readonly string[],
  prefix = "",
): Result<void, ManagementError> {
  for (const key of Object.keys(input)) {
    if (!allowed.includes(key)) {
      const field = `${prefix}${key}`;
      return err(
        validationError(field, `${field} is not a known field; the fields are ${allowed.join(", ")}.`),
      );
    }
  }
  return ok(undefined);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
