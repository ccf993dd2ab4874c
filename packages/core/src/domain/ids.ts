import { randomBase64url } from "../crypto/random.js";

/** 96 random bits, base64url: ids of accounts, orders, authorizations and challenges. */
export const newId = (): string => randomBase64url(12);

/** RFC 8555 §8.1: challenge tokens carry at least 128 bits of entropy, base64url. */
export const newToken = (): string => randomBase64url(16);
