export * from './common.js';
export * from './catalog.js';
export * from './member.js';
export * from './mou.js';
export * from './manifest.js';
export * from './overlay.js';
