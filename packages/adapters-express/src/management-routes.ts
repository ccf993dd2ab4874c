import type { AcmeServer, ManagementError } from "@acme-endpoints/core";

/** What the admin API needs of the server: its management APIs. */
export type ManagementServer = Pick<AcmeServer, "endpoints" | "domains" | "eab" | "certificates">;

/** What every management call answers (a neverthrow ResultAsync), as far as this adapter cares. */
export interface Outcome {
  match<A, B>(ok: (value: unknown) => A, err: (error: ManagementError) => B): Promise<A | B>;
}

export interface RouteInput {
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, unknown>>;
  /** The JSON body, `{}` when there was none. */
  readonly body: Readonly<Record<string, unknown>>;
}

export interface Route {
  readonly method: "get" | "post" | "patch" | "delete";
  readonly path: string;
  /** 204 answers have no body; 201 answers say where the new resource is. */
  readonly status: 200 | 201 | 204;
  readonly run: (input: RouteInput) => Outcome;
  /** For 201: the new resource's path, relative to the router. */
  readonly location?: (created: never) => string;
}

/**
 * The admin API, one entry per operation: HTTP in, a management call out. Path ids go to the
 * core as they are; the core answers NotFound for unknown ones and validates every body field
 * (the `as never` casts hand it the raw JSON, which is exactly what its validation is for).
 */
export function managementRoutes(server: ManagementServer): readonly Route[] {
  const { endpoints, domains, eab, certificates } = server;
  const endpointId = (i: RouteInput) => String(i.params.id);
  const domain = (i: RouteInput) => ({
    endpointId: endpointId(i),
    domainValidationId: String(i.params.domainId),
  });
  const query = (i: RouteInput, name: string) => {
    const value = i.query[name];
    return value === undefined ? {} : { [name]: name === "pageSize" ? Number(value) : String(value) };
  };
  const E = "/endpoints/:id";
  const D = `${E}/domains/:domainId`;
  return [
    // The certificates inventory: issued certificates stay listed after their endpoint is deleted.
    {
      method: "get",
      path: "/certificates",
      status: 200,
      run: (i) =>
        certificates.list({
          ...query(i, "endpointId"),
          ...query(i, "status"),
          ...query(i, "expiringBefore"),
          ...query(i, "pageSize"),
          ...query(i, "nextToken"),
          ...(typeof i.query.tagKey === "string"
            ? {
                tag: {
                  key: i.query.tagKey,
                  ...(typeof i.query.tagValue === "string" ? { value: i.query.tagValue } : {}),
                },
              }
            : {}),
        } as never),
    },
    {
      method: "get",
      path: "/certificates/summary",
      status: 200,
      run: (i) => certificates.summary(query(i, "endpointId")),
    },
    {
      method: "get",
      path: "/certificates/:serial",
      status: 200,
      run: (i) => certificates.describe({ serial: String(i.params.serial) }),
    },
    {
      method: "post",
      path: "/endpoints",
      status: 201,
      run: (i) => endpoints.create(i.body),
      location: (e: { id: string }) => `/endpoints/${e.id}`,
    },
    {
      method: "get",
      path: "/endpoints",
      status: 200,
      run: (i) => endpoints.list({ ...query(i, "pageSize"), ...query(i, "nextToken") }),
    },
    { method: "get", path: E, status: 200, run: (i) => endpoints.describe(endpointId(i)) },
    {
      method: "patch",
      path: E,
      status: 200,
      run: (i) => endpoints.update({ ...i.body, endpointId: endpointId(i) }),
    },
    { method: "delete", path: E, status: 204, run: (i) => endpoints.delete(endpointId(i)) },

    {
      method: "get",
      path: `${E}/tags`,
      status: 200,
      run: (i) => endpoints.listTags({ endpointId: endpointId(i) }).map((tags) => ({ tags })),
    },
    {
      method: "post",
      path: `${E}/tags`,
      status: 200,
      run: (i) =>
        endpoints.tag({ endpointId: endpointId(i), tags: i.body.tags as never }).map((tags) => ({ tags })),
    },
    {
      method: "delete",
      path: `${E}/tags`,
      status: 200,
      run: (i) =>
        endpoints
          .untag({
            endpointId: endpointId(i),
            tagKeys: typeof i.query.keys === "string" ? i.query.keys.split(",") : [],
          })
          .map((tags) => ({ tags }))
          // Over HTTP the keys come as ?keys=a,b: name that in errors.
          .mapErr((e) => ("field" in e ? { ...e, field: e.field.replace(/^tagKeys/, "keys") } : e)),
    },

    {
      method: "post",
      path: `${E}/domains`,
      status: 201,
      run: (i) => domains.create({ ...i.body, endpointId: endpointId(i) } as never),
      location: (d: { endpointId: string; id: string }) => `/endpoints/${d.endpointId}/domains/${d.id}`,
    },
    {
      method: "get",
      path: `${E}/domains`,
      status: 200,
      run: (i) => domains.list({ endpointId: endpointId(i) }).map((list) => ({ domains: list })),
    },
    {
      method: "post",
      path: `${E}/domains/validate`,
      status: 200,
      run: (i) => domains.checkPending({ endpointId: endpointId(i) }).map((list) => ({ domains: list })),
    },
    {
      method: "post",
      path: `${E}/domains/revalidate`,
      status: 200,
      run: (i) => domains.revalidate({ endpointId: endpointId(i) }).map((list) => ({ domains: list })),
    },
    { method: "get", path: D, status: 200, run: (i) => domains.describe(domain(i)) },
    { method: "delete", path: D, status: 204, run: (i) => domains.delete(domain(i)) },
    { method: "post", path: `${D}/approve`, status: 200, run: (i) => domains.approve(domain(i)) },
    { method: "post", path: `${D}/validate`, status: 200, run: (i) => domains.validate(domain(i)) },

    {
      method: "post",
      path: `${E}/eab`,
      status: 201,
      run: (i) => eab.create({ ...i.body, endpointId: endpointId(i) } as never),
    },
    {
      method: "get",
      path: `${E}/eab`,
      status: 200,
      run: (i) => eab.list({ endpointId: endpointId(i) }).map((keys) => ({ keys })),
    },
    {
      method: "delete",
      path: `${E}/eab/:keyId`,
      status: 200,
      run: (i) => eab.revoke({ endpointId: endpointId(i), keyId: String(i.params.keyId) }),
    },
  ];
}
