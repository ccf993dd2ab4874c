import type { RequestContext } from "../context.js";
import type { StorageError } from "../ports/storage.js";
import { type AcmeProblem, internalProblem, problem } from "../problems.js";

/** Storage failures become `serverInternal`; the cause is logged, not sent. */
export function storageProblem(ctx: { deps: RequestContext["deps"] }, what: string) {
  return (e: StorageError): AcmeProblem => {
    switch (e.type) {
      case "conflict":
        return problem(
          "malformed",
          `The request conflicted with a concurrent change while ${what}; retry it.`,
          {
            status: 409,
          },
        );
      case "invalid":
        return problem("malformed", `The request is not usable while ${what}: ${e.message}.`);
      case "failure":
        ctx.deps.logger.error(`storage failure while ${what}`, { message: e.message, cause: e.cause });
        return internalProblem();
    }
  };
}
