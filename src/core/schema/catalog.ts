import { z } from 'zod';
import { slug } from './common.js';

/** `catalog/catalog.yaml`: identifies a catalog. */
export const catalogFileSchema = z.strictObject({
  schemaVersion: z.literal(1),
  id: slug,
  title: z.string().min(1),
  description: z.string().optional(),
});
export type CatalogFile = z.infer<typeof catalogFileSchema>;
