import { describe, expect, it } from 'vitest';
import { resolveDockerHost, type DockerHostInput } from '../../../src/adapters/docker-host.js';
import { KsadError } from '../../../src/core/errors.js';

const noFiles = (): undefined => undefined;
const resolve = (input: Partial<DockerHostInput>) =>
  resolveDockerHost({ env: {}, readFile: noFiles, ...input });

function usageError(input: Partial<DockerHostInput>): KsadError {
  try {
    resolve(input);
  } catch (error) {
    expect(error).toBeInstanceOf(KsadError);
    expect((error as KsadError).code).toBe('USAGE');
    return error as KsadError;
  }
  throw new Error('expected a USAGE error');
}

describe('resolveDockerHost', () => {
  it('defaults to the standard socket', () => {
    expect(resolve({})).toEqual({
      endpoint: 'unix:///var/run/docker.sock',
      source: 'default',
      options: expect.objectContaining({
        socketPath: '/var/run/docker.sock',
        host: undefined,
        port: undefined,
        protocol: 'http',
      }),
    });
  });

  it('takes DOCKER_HOST, and lets --docker-host win over it', () => {
    expect(resolve({ env: { DOCKER_HOST: 'unix:///tmp/d.sock' } })).toMatchObject({
      endpoint: 'unix:///tmp/d.sock',
      source: 'DOCKER_HOST',
      options: { socketPath: '/tmp/d.sock' },
    });
    const flagged = resolve({
      flag: 'unix:///run/other.sock',
      env: { DOCKER_HOST: 'tcp://10.0.0.5:2375' },
    });
    expect(flagged).toMatchObject({
      endpoint: 'unix:///run/other.sock',
      source: '--docker-host',
      options: { socketPath: '/run/other.sock' },
    });
    // Set explicitly, so docker-modem's own reading of DOCKER_HOST cannot put a host back.
    expect(flagged.options).toHaveProperty('host', undefined);
  });

  it('treats empty values as unset and "unix://" alone as the default socket', () => {
    expect(resolve({ flag: '  ', env: { DOCKER_HOST: '' } }).source).toBe('default');
    expect(resolve({ flag: 'unix://' }).options.socketPath).toBe('/var/run/docker.sock');
  });

  it('maps tcp:// to plain HTTP on 2375 by default, and a bare host:port to tcp', () => {
    expect(resolve({ env: { DOCKER_HOST: 'tcp://10.0.0.5' } })).toMatchObject({
      endpoint: 'tcp://10.0.0.5:2375',
      options: { host: '10.0.0.5', port: 2375, protocol: 'http', socketPath: undefined },
    });
    expect(resolve({ flag: 'docker.example.go.id:4243' })).toMatchObject({
      endpoint: 'tcp://docker.example.go.id:4243',
      options: { host: 'docker.example.go.id', port: 4243, protocol: 'http' },
    });
    expect(resolve({ flag: 'tcp://[::1]:2375' })).toMatchObject({
      endpoint: 'tcp://[::1]:2375',
      options: { host: '::1' },
    });
  });

  it('uses HTTPS with the CA, certificate and key from DOCKER_CERT_PATH when DOCKER_TLS_VERIFY is set', () => {
    const files: Record<string, string> = {
      '/certs/ca.pem': 'CA',
      '/certs/cert.pem': 'CERT',
      '/certs/key.pem': 'KEY',
    };
    const read = (path: string): Buffer | undefined =>
      path in files ? Buffer.from(files[path]!) : undefined;
    const resolved = resolve({
      env: { DOCKER_HOST: 'tcp://10.0.0.5', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' },
      readFile: read,
    });
    expect(resolved.endpoint).toBe('tcp://10.0.0.5:2376');
    expect(resolved.options).toMatchObject({ protocol: 'https', port: 2376, host: '10.0.0.5' });
    expect(resolved.options.ca?.toString()).toBe('CA');
    expect(resolved.options.cert?.toString()).toBe('CERT');
    expect(resolved.options.key).toEqual(Buffer.from('KEY'));
  });

  it('looks for TLS files in ~/.docker by default and uses only those that exist', () => {
    const read = (path: string): Buffer | undefined =>
      path === '/home/ops/.docker/ca.pem' ? Buffer.from('CA') : undefined;
    const resolved = resolve({
      env: { DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', HOME: '/home/ops' },
      readFile: read,
    });
    expect(resolved.options.ca?.toString()).toBe('CA');
    expect(resolved.options.cert).toBeUndefined();
    expect(resolved.options.key).toBeUndefined();
  });

  it('refuses a certificate without its key, and names unreadable TLS files', () => {
    const onlyCert = (path: string): Buffer | undefined =>
      path.endsWith('cert.pem') ? Buffer.from('CERT') : undefined;
    expect(
      usageError({
        env: { DOCKER_HOST: 'tcp://h', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/c' },
        readFile: onlyCert,
      }).message,
    ).toContain('cert.pem');
    const unreadable = (): Buffer => {
      throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    };
    expect(
      usageError({
        env: { DOCKER_HOST: 'tcp://h', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/c' },
        readFile: unreadable,
      }).message,
    ).toContain('/c/ca.pem');
  });

  it('connects over SSH with the user, port and agent', () => {
    expect(
      resolve({
        flag: 'ssh://ops@docker.kab-bandung.go.id:2222',
        env: { SSH_AUTH_SOCK: '/run/agent.sock' },
      }),
    ).toMatchObject({
      endpoint: 'ssh://ops@docker.kab-bandung.go.id:2222',
      options: {
        protocol: 'ssh',
        host: 'docker.kab-bandung.go.id',
        port: 2222,
        username: 'ops',
        sshOptions: { agent: '/run/agent.sock' },
        socketPath: undefined,
      },
    });
    expect(resolve({ flag: 'ssh://host' })).toMatchObject({
      endpoint: 'ssh://host',
      options: { port: 22, username: undefined, sshOptions: {} },
    });
  });

  it('pins the API version from DOCKER_API_VERSION', () => {
    expect(resolve({ env: { DOCKER_API_VERSION: '1.41' } }).options.version).toBe('v1.41');
    expect(resolve({}).options.version).toBeUndefined();
  });

  it('names the source and the bad value when it is not a Docker host address', () => {
    const error = usageError({ flag: 'http://host:2375' });
    expect(error.message).toContain('--docker-host "http://host:2375"');
    expect(error.message).toContain('unsupported scheme');
    expect(usageError({ env: { DOCKER_HOST: 'ssh://' } }).message).toContain('DOCKER_HOST');
    expect(usageError({ flag: 'tcp://host:2375/path' }).message).toContain('no path');
    expect(usageError({ flag: 'tcp://host:notaport' }).message).toContain('cannot be parsed');
  });
});
