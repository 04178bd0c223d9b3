import { z } from 'zod';
import { slug, timeZoneName } from './common.js';

/** `catalog/catalog.yaml`: identifies a catalog. */
export const catalogFileSchema = z.strictObject({
  schemaVersion: z.literal(1),
  id: slug,
  title: z.string().min(1),
  description: z.string().optional(),
  /**
   * The calendar of commands that know no host or region (mou list, show, lint …): WIB, WITA or
   * WIT (or Asia/Jakarta, Asia/Pontianak, Asia/Makassar, Asia/Jayapura). Absent: the machine's.
   */
  timeZone: timeZoneName.optional(),
});
export type CatalogFile = z.infer<typeof catalogFileSchema>;
