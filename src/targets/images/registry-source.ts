import type { ImageEvidence } from '../../core/image-check.js';
import type { DockerEngine, ImageInfo } from '../../ports/docker-engine.js';
import type { ImageSource } from '../../ports/image-source.js';

/**
 * Images pulled from their registry by digest, through the engine (with the login `docker login`
 * stored, which the engine adapter sends). The engine then knows the image by `repo@digest`.
 */
export class RegistryImageSource implements ImageSource {
  readonly name = 'registry';

  constructor(private readonly engine: DockerEngine) {}

  async provide(ref: string, detail: (text: string) => void): Promise<ImageEvidence> {
    await this.engine.pullImage(ref, (e) => detail(`${shortRef(ref)}: ${e.status}`));
    return { kind: 'registry' };
  }

  inspect(ref: string): Promise<ImageInfo | null> {
    return this.engine.inspectImage(ref);
  }

  engineRef(ref: string): string {
    return ref;
  }
}

export function shortRef(ref: string): string {
  const at = ref.indexOf('@');
  return at === -1 ? ref : `${ref.slice(0, at)}@${ref.slice(at + 1, at + 20)}…`;
}
