import { z } from 'zod';
import type { HostInventory } from '../app/bundle-create.js';
import type { BundleReport } from '../app/bundle-open.js';
import { digestSchema } from '../core/bundle/format.js';
import { KsadError } from '../core/errors.js';

const mib = (n: number): string => `${(n / 1048576).toFixed(1)} MiB`;

export function bundleText(r: BundleReport): string {
  const lines = [
    `${r.file}: ${r.format}, ${r.entries} entries, ${mib(r.bytes)}${r.parts.length > 0 ? ` in ${r.files.length} parts` : ''}`,
    `  made ${r.createdAt} by ${r.createdBy}; expires ${r.expiresAt.slice(0, 10)}${r.expired ? ' (EXPIRED: installing only warns)' : ''}`,
    `  signed by ${r.signer.member} with key ${r.signer.keyId}`,
    `  catalog ${r.catalog.id} (${r.catalog.name}${r.catalog.commit ? ` at ${r.catalog.commit.slice(0, 12)}` : ''})`,
    `  for ${r.region ? `${r.region.name} (${r.region.code})` : 'any region an MoU covers'}`,
    ...(r.differential
      ? [`  differential (${r.differential.kind}) against ${r.differential.base}`]
      : []),
    'Apps:',
    ...r.apps.map(
      (a) =>
        `  ${a.publisher}/${a.name}@${a.version}  signature ${a.signature}${a.mous.length > 0 ? `  MoU ${a.mous.map((m) => `${m.number} (${m.status})`).join(', ')}` : ''}`,
    ),
    'Images:',
    ...r.images.map((i) => `  ${i.ref}  layers ${i.included}/${i.layers}, ${mib(i.bytes)}`),
    'MoUs:',
    ...r.mous.map(
      (m) => `  ${m.number}  ${m.grantor} → ${m.grantees.join(', ')}  until ${m.validUntil}`,
    ),
    `Image evidence: ${r.imageEvidence}`,
    ...r.warnings.map((w) => `warning: ${w}`),
  ];
  return lines.join('\n');
}

const inventorySchema = z.strictObject({
  format: z.literal('ksad-host-inventory-v1'),
  createdAt: z.string(),
  host: z.strictObject({
    endpoint: z.string(),
    region: z.strictObject({ code: z.string(), name: z.string() }).nullable(),
  }),
  images: z.array(
    z.strictObject({
      id: digestSchema,
      repoDigests: z.array(z.string()),
      layers: z.array(digestSchema),
    }),
  ),
});

/** A `ksad host inventory` file, checked. */
export function parseInventory(file: string, text: string): HostInventory {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new KsadError('INVALID', `${file} is not JSON: ${(error as Error).message}`);
  }
  const parsed = inventorySchema.safeParse(raw);
  if (!parsed.success)
    throw new KsadError('INVALID', `${file} is not a ksad host inventory`, {
      details: parsed.error.issues
        .slice(0, 10)
        .map((i) => `${file}: ${i.path.join('.')}: ${i.message}`),
      suggestions: ['make it on the host with: ksad host inventory --out FILE'],
    });
  return parsed.data;
}
