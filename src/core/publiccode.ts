// publiccode.yml (Developers Italia's standard for public-sector software), to and from manifests.
export { manifestFromPubliccode, type PubliccodeImport } from './publiccode/import.js';
export { publiccodeFromManifest, type PubliccodeExport } from './publiccode/export.js';
