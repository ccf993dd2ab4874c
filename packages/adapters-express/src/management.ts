import type { Logger, ManagementError } from "@acme-endpoints/core";
import { consoleLogger } from "@acme-endpoints/core";
import {
  type Request as ExpressRequest,
  type Response as ExpressResponse,
  json,
  type NextFunction,
  Router,
} from "express";
import type { Authorize } from "./management-auth.js";
import { type ManagementServer, managementRoutes } from "./management-routes.js";
import { MANAGEMENT_ERROR_STATUS } from "./management-status.js";

export type { ManagementServer } from "./management-routes.js";

export interface ManagementRouterOptions {
  /** Mandatory: every request passes it before anything else runs. See `bearerToken`. */
  readonly authorize: Authorize;
  /** Largest JSON body accepted (default 64 KiB); larger ones get 413. */
  readonly maxBodyBytes?: number;
  /** Where storage failures and unexpected exceptions are reported (default: the console). */
  readonly logger?: Pick<Logger, "error">;
}

/**
 * The endpoint control plane as a JSON API: endpoints, their tags, domain validations and EAB
 * credentials. Mount it under its own prefix (`app.use("/admin", managementRouter(…))`): every
 * request under it is authenticated first, also those no route matches.
 */
export function managementRouter(server: ManagementServer, options: ManagementRouterOptions): Router {
  if (typeof options?.authorize !== "function") {
    throw new TypeError("managementRouter needs options.authorize, e.g. { authorize: bearerToken(secret) }.");
  }
  const logger = options.logger ?? consoleLogger;
  const router = Router();
  // First, so refusals carry it too: answers carry EAB HMAC keys.
  router.use((_req, res, next) => {
    res.set("Cache-Control", "no-store");
    next();
  });
  router.use(authenticate(options.authorize));
  router.use(json({ limit: options.maxBodyBytes ?? 64 * 1024 }));
  router.use(requireJsonObject);

  for (const route of managementRoutes(server)) {
    router[route.method](route.path, (req, res, next) => {
      const input = { params: req.params as Record<string, string>, query: req.query, body: req.body ?? {} };
      route
        .run(input)
        .match(
          (value) => {
            if (route.location !== undefined) res.location(`${req.baseUrl}${route.location(value as never)}`);
            if (route.status === 204) res.status(204).end();
            else res.status(route.status).json(value);
          },
          (error) => sendError(res, error, logger, req),
        )
        .catch(next);
    });
  }

  router.use((req, res) => {
    res.status(404).json({ error: "NotFound", message: `No admin API route ${req.method} ${req.path}.` });
  });
  router.use((error: unknown, req: ExpressRequest, res: ExpressResponse, _next: NextFunction) => {
    sendFailure(error, req, res, logger);
  });
  return router;
}

/** Every request passes `authorize` first: 401 (with WWW-Authenticate) or 403 otherwise. Shared by the dashboard. */
export function authenticate(authorize: Authorize) {
  return (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    Promise.resolve()
      .then(() => authorize(req))
      .then((verdict) => {
        if (verdict === true) return next();
        if (verdict === "forbidden") {
          res
            .status(403)
            .json({ error: "Forbidden", message: "These credentials do not allow this request." });
          return;
        }
        // RFC 6750 §3: say which scheme, and whether the credentials sent were wrong.
        const wrong = req.get("authorization") ? ', error="invalid_token"' : "";
        res.set("WWW-Authenticate", `Bearer realm="acme-endpoints"${wrong}`);
        res
          .status(401)
          .json({ error: "Unauthorized", message: "Send valid credentials: Authorization: Bearer <token>." });
      })
      .catch(next);
  };
}

/** A body, when there is one, must be a JSON object: anything else would be silently ignored. */
function requireJsonObject(req: ExpressRequest, res: ExpressResponse, next: NextFunction) {
  // An empty POST (approve, validate) is fine whatever its headers say.
  const hasContent = req.get("transfer-encoding") !== undefined || Number(req.get("content-length") ?? 0) > 0;
  if (hasContent && !req.is("application/json")) {
    res.status(415).json({ error: "UnsupportedMediaType", message: "Send the body as application/json." });
    return;
  }
  const body: unknown = req.body;
  if (body !== undefined && (typeof body !== "object" || body === null || Array.isArray(body))) {
    res
      .status(400)
      .json({ error: "ValidationError", field: "body", message: "The body must be a JSON object." });
    return;
  }
  next();
}

function sendError(
  res: ExpressResponse,
  error: ManagementError,
  logger: Pick<Logger, "error">,
  req: ExpressRequest,
) {
  if (error.code === "StorageFailure") {
    // The message names storage internals: for the operator's log, not for the caller.
    logger.error("admin API storage failure", { method: req.method, path: req.path, message: error.message });
    res
      .status(500)
      .json({ error: "StorageFailure", message: "The request could not be completed; see the server log." });
    return;
  }
  res
    .status(MANAGEMENT_ERROR_STATUS[error.code])
    .json({ error: error.code, message: error.message, ...("field" in error ? { field: error.field } : {}) });
}

/** Body-parser errors are the caller's; anything else is logged and answered without detail. */
function sendFailure(
  error: unknown,
  req: ExpressRequest,
  res: ExpressResponse,
  logger: Pick<Logger, "error">,
) {
  const type = (error as { type?: unknown } | null)?.type;
  if (type === "entity.parse.failed") {
    res.status(400).json({ error: "ValidationError", field: "body", message: "The body is not valid JSON." });
  } else if (type === "entity.too.large") {
    res.status(413).json({ error: "PayloadTooLarge", message: "The body is too large." });
  } else if (type === "charset.unsupported" || type === "encoding.unsupported") {
    res.status(415).json({ error: "UnsupportedMediaType", message: "Send the body as UTF-8 JSON." });
  } else {
    logger.error("admin API request failed unexpectedly", {
      method: req.method,
      path: req.path,
      cause: error,
    });
    res
      .status(500)
      .json({ error: "InternalError", message: "The request could not be completed; see the server log." });
  }
}
