import semver from 'semver';
import { rememberByText } from '../memo.js';
import type { LintOptions, ManifestUnit, Reporter } from './context.js';

/** The oldest Docker Engine API ksad talks to (Docker 1.12). */
const MIN_DOCKER_API = [1, 24] as const;

/** Whether a range matches any version at all, by range: a catalog's manifests share a few. */
const matchesSomeVersion = rememberByText((range) => semver.minVersion(range) !== null, 1024);

/** `requires-ksad` and `docker-api-version`: requirements a recipient's tools can actually meet. */
export function lintRequires(unit: ManifestUnit, r: Reporter, opts: LintOptions): void {
  const { manifest, file } = unit;
  const range = manifest.requires.ksad;
  if (range !== undefined) {
    if (!matchesSomeVersion(range)) {
      r.error(
        file,
        ['requires', 'ksad'],
        'requires-ksad',
        `range "${range}" matches no version of ksad`,
      );
    } else if (
      opts.ksadVersion !== undefined &&
      !semver.satisfies(opts.ksadVersion, range, { includePrerelease: true })
    ) {
      r.warning(
        file,
        ['requires', 'ksad'],
        'requires-ksad',
        `needs ksad ${range}, but this ksad is ${opts.ksadVersion}`,
      );
    }
  }
  const api = manifest.requires.dockerApi;
  if (api !== undefined) {
    const [major = '', minor = ''] = api.split('.');
    if (major !== '1' || (minor.length > 1 && minor.startsWith('0'))) {
      r.error(
        file,
        ['requires', 'dockerApi'],
        'docker-api-version',
        `"${api}" is not a Docker Engine API version: they are written 1.<minor>, e.g. "1.41"`,
      );
    } else if (Number(minor) < MIN_DOCKER_API[1]) {
      r.warning(
        file,
        ['requires', 'dockerApi'],
        'docker-api-version',
        `Docker Engine API ${api} is older than ${MIN_DOCKER_API.join('.')}, the oldest ksad supports; require "${MIN_DOCKER_API.join('.')}" or newer`,
      );
    }
  }
}
