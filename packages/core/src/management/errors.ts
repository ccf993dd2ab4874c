import type { StorageError } from "../ports/storage.js";

/**
 * Typed errors of the management API: `switch (error.code)`. Messages say what to change;
 * `field` names the input field at fault for validation errors.
 */
export type ManagementError =
  | { readonly code: "ValidationError"; readonly message: string; readonly field: string }
  | { readonly code: "NotFound"; readonly message: string }
  | { readonly code: "Conflict"; readonly message: string }
  | { readonly code: "StorageFailure"; readonly message: string; readonly cause?: unknown };

export const validationError = (field: string, message: string): ManagementError => ({
  code: "ValidationError",
  field,
  message,
});

export const notFound = (message: string): ManagementError => ({ code: "NotFound", message });

export const conflict = (message: string): ManagementError => ({ code: "Conflict", message });

export function fromStorage(what: string) {
  return (e: StorageError): ManagementError => {
    switch (e.type) {
      case "conflict":
        return { code: "Conflict", message: `${what}: ${e.message}` };
      case "invalid":
        return { code: "ValidationError", field: "nextToken", message: `${what}: ${e.message}` };
      case "failure":
        return { code: "StorageFailure", message: `${what}: ${e.message}`, cause: e.cause };
    }
  };
}

/**
 * `fromStorage` for a versioned update: a storage `conflict` means another request changed the
 * record since it was read, which the caller fixes by reading it again.
 */
export function fromVersionedUpdate(what: string, record: string) {
  const other = fromStorage(what);
  return (e: StorageError): ManagementError =>
    e.type === "conflict"
      ? conflict(`${record} was changed by another request meanwhile; read it again and retry.`)
      : other(e);
}
