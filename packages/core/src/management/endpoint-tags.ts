import { err, ok, safeTry } from "neverthrow";
import type { Deps } from "../context.js";
import type { Tag } from "../domain/types.js";
import { emit } from "../events/emit.js";
import { validateName } from "./endpoint-input.js";
import { requireSettled } from "./endpoint-status.js";
import { fromVersionedUpdate, validationError } from "./errors.js";
import { load } from "./load.js";
import { validateTags } from "./validate.js";

export interface TagEndpointInput {
  readonly endpointId: string;
  /** Added, or overwriting the tags with the same keys. */
  readonly tags: readonly Tag[];
}

export interface UntagEndpointInput {
  readonly endpointId: string;
  readonly tagKeys: readonly string[];
}

export interface ListTagsInput {
  readonly endpointId: string;
}

const MAX_TAGS = 50;

/** Endpoint resource tags (not the certificate tags). The `Name` tag is the endpoint's name. */
export function endpointTags(deps: Deps) {
  const save = (endpointId: string, change: (tags: readonly Tag[]) => Tag[]) =>
    safeTry(async function* () {
      const endpoint = yield* requireSettled(yield* load(deps, endpointId));
      const tags = change(endpoint.tags);
      if (tags.length > MAX_TAGS) {
        return err(
          validationError(
            "tags",
            `An endpoint may have at most ${MAX_TAGS} tags; this would make ${tags.length}.`,
          ),
        );
      }
      const stored = yield* deps.storage.endpoints
        .update({ ...endpoint, tags, updatedAt: deps.clock.now().toISOString() })
        .mapErr(fromVersionedUpdate("tagging the endpoint", `Endpoint ${endpoint.id}`));
      emit(deps, { type: "endpoint.updated", endpointId: stored.id, changed: ["tags"] });
      return ok(stored.tags);
    });

  return {
    tag: ({ endpointId, tags }: TagEndpointInput) =>
      safeTry(async function* () {
        const given = yield* validateTags("tags", tags);
        if (given.length === 0)
          return err(validationError("tags", "tags must have at least one {key, value}."));
        const name = given.findIndex((t) => t.key === "Name");
        if (name >= 0) yield* validateName(`tags[${name}].value`, given[name]?.value);
        return ok(yield* save(endpointId, (current) => merge(current, given)));
      }),

    untag: ({ endpointId, tagKeys }: UntagEndpointInput) =>
      safeTry(async function* () {
        if (!Array.isArray(tagKeys) || tagKeys.length === 0) {
          return err(validationError("tagKeys", "tagKeys must be a non-empty array of tag keys."));
        }
        for (const [i, key] of tagKeys.entries()) {
          if (typeof key !== "string" || key.length < 1 || key.length > 128)
            return err(
              validationError(`tagKeys[${i}]`, "A tag key must be a string of 1 to 128 characters."),
            );
        }
        const keys = new Set(tagKeys);
        return ok(yield* save(endpointId, (current) => current.filter((t) => !keys.has(t.key))));
      }),

    listTags: ({ endpointId }: ListTagsInput) => load(deps, endpointId).map((endpoint) => endpoint.tags),
  };
}

/** Overwritten tags keep their place (the Name tag stays first); new ones go last. */
function merge(current: readonly Tag[], given: readonly Tag[]): Tag[] {
  const values = new Map(given.map((t) => [t.key, t.value]));
  const kept = current.map((t) => ({ key: t.key, value: values.get(t.key) ?? t.value }));
  const known = new Set(current.map((t) => t.key));
  return [...kept, ...given.filter((t) => !known.has(t.key))];
}
