/** What a handler answers on success; `respond` turns it (or a problem) into a Response. */
export interface AcmeReply {
  readonly status: number;
  /** A JSON body, or a string body sent with `contentType`. */
  readonly body?: unknown;
  readonly contentType?: string;
  /** RFC 8555 §7.3, §7.4: the URL of the created or named resource. */
  readonly location?: string;
  /** RFC 8288 links besides rel="index" (which `respond` adds everywhere but the directory). */
  readonly links?: readonly { readonly url: string; readonly rel: string }[];
  readonly headers?: Readonly<Record<string, string>>;
}

export const json = (
  status: number,
  body: unknown,
  extra: Omit<AcmeReply, "status" | "body"> = {},
): AcmeReply => ({
  status,
  body,
  ...extra,
});
