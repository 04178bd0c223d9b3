import { z } from 'zod';
import { isoDate, regionCode, semverRange, sha256Hex, slug } from './common.js';

export const mouApp = z.strictObject({
  /** App name as in its manifests. */
  name: slug,
  /** Versions covered; all versions when absent. */
  versions: semverRange.optional(),
});
export type MouApp = z.infer<typeof mouApp>;

/** `catalog/mous/<slug>.yaml`: a Kerjasama Antar Daerah agreement (nota kesepahaman). */
export const mouSchema = z.strictObject({
  number: z.string().min(1),
  title: z.string().min(1),
  /** The pioneer region granting (hibah) its apps. */
  grantor: regionCode,
  /** The regions receiving them. */
  grantees: z.array(regionCode).min(1),
  apps: z.array(mouApp).min(1),
  validFrom: isoDate,
  validUntil: isoDate,
  signedOn: isoDate.optional(),
  document: z.strictObject({
    sha256: sha256Hex,
    url: z.url().optional(),
  }),
  notes: z.string().optional(),
});
export type Mou = z.infer<typeof mouSchema>;
