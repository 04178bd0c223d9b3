import { z } from 'zod';
import { contact, isoDate, regionCode } from './common.js';

export const signingKey = z.strictObject({
  /** Stable identifier, referenced by signatures. */
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be a lower-case key id'),
  algorithm: z.literal('ed25519'),
  /** Raw 32-byte ed25519 public key, base64. */
  publicKey: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}=$/, 'must be a base64 ed25519 public key (32 bytes)'),
  addedOn: isoDate.optional(),
});
export type SigningKey = z.infer<typeof signingKey>;

/** `catalog/members/<slug>.yaml`: a region taking part in KSAD. */
export const memberSchema = z.strictObject({
  code: regionCode,
  name: z.string().min(1),
  kind: z.enum(['kota', 'kabupaten', 'provinsi']),
  province: z.string().optional(),
  /** The unit that runs ksad for the region, e.g. "Diskominfo Kota Bandung". */
  agency: z.string().optional(),
  website: z.url().optional(),
  contacts: z.array(contact).min(1),
  /** A publisher (pioneer city) publishes app manifests under `manifests/<slug>/`. */
  publisher: z.boolean().default(false),
  keys: z.array(signingKey).default([]),
});
export type Member = z.infer<typeof memberSchema>;
