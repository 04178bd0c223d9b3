import { describe, expect, it } from 'vitest';
import { importCompose, type ComposeDraft } from '../../../src/core/compose-import.js';
import { knownCredential, looksSecret } from '../../../src/core/compose/credentials.js';
import { formatDiagnostic } from '../../../src/core/diagnostics.js';

/** Compose files written from the compose-spec, the way pioneer cities' own files look. */
function draft(
  text: string,
  extra: {
    envFiles?: Record<string, string | null>;
    extendsFiles?: Record<string, string | null>;
    dotenv?: Record<string, string>;
  } = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): ComposeDraft & { m: Record<string, any> } {
  const d = importCompose({
    file: 'compose.yaml',
    text,
    meta: { publisher: 'kota-bandung' },
    ...extra,
  });
  return { ...d, m: d.manifest };
}
const lines = (d: ComposeDraft, rule?: string): string[] =>
  d.diagnostics.filter((x) => rule === undefined || x.rule === rule).map(formatDiagnostic);

describe('compose import: one credential, one secret', () => {
  it('joins the same literal under two names (the app and its database) and says so', () => {
    const d = draft(`services:
  web:
    image: example/antrean:1.0
    environment:
      DB_PASSWORD: s3cret-pw
      DATABASE_URL: postgres://antrean:s3cret-pw@db:5432/antrean
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: s3cret-pw
`);
    expect(d.m.services.web.environment).toEqual({
      DB_PASSWORD: '${secret.DB_PASSWORD}',
      DATABASE_URL: 'postgres://antrean:${secret.DB_PASSWORD}@${service.db.host}:5432/antrean',
    });
    expect(d.m.services.db.environment).toEqual({ POSTGRES_PASSWORD: '${secret.DB_PASSWORD}' });
    expect(Object.keys(d.m.secrets as object)).toEqual(['DB_PASSWORD']);
    expect(d.decisions).toContain(
      'secrets.DB_PASSWORD: one credential, joined from services.web.environment.DB_PASSWORD, services.web.environment.DATABASE_URL, services.db.environment.POSTGRES_PASSWORD (the same value): generated once at install and given to each of them',
    );
  });

  it('joins one ${VAR} used by several services', () => {
    const d = draft(`services:
  api:
    image: example/api:1
    environment:
      DATABASE_PASS: \${DB_PASS}
  db:
    image: mysql:8
    environment:
      MYSQL_PASSWORD: \${DB_PASS}
      MYSQL_ROOT_PASSWORD: \${DB_ROOT_PASS:-rootpw}
`);
    expect(d.m.services.api.environment.DATABASE_PASS).toBe('${secret.DB_PASS}');
    expect(d.m.services.db.environment).toEqual({
      MYSQL_PASSWORD: '${secret.DB_PASS}',
      MYSQL_ROOT_PASSWORD: '${secret.DB_ROOT_PASS}',
    });
    expect(Object.keys(d.m.secrets as object).sort()).toEqual(['DB_PASS', 'DB_ROOT_PASS']);
    expect(d.decisions.filter((x) => x.startsWith('secrets.'))).toEqual([
      'secrets.DB_PASS: one credential, joined from services.api.environment.DATABASE_PASS, services.db.environment.MYSQL_PASSWORD (the same variable ${DB_PASS}): generated once at install and given to each of them',
    ]);
  });

  it('joins an env_file value with the same variable interpolated elsewhere, and by .env value', () => {
    const d = draft(
      `services:
  web:
    image: example/web:1
    environment:
      DB_PASSWORD: \${POSTGRES_PASSWORD}
      REDIS_AUTH: \${REDIS_PASS}
  db:
    image: postgres:16
    env_file: db.env
  cache:
    image: redis:7
    command: redis-server --requirepass r3dis-pass
`,
      {
        envFiles: { 'db.env': 'POSTGRES_PASSWORD=from-env-file\nPOSTGRES_DB=app\n' },
        dotenv: { REDIS_PASS: 'r3dis-pass' },
      },
    );
    expect(d.m.services.web.environment).toEqual({
      DB_PASSWORD: '${secret.POSTGRES_PASSWORD}',
      REDIS_AUTH: '${secret.REDIS_PASS}',
    });
    expect(d.m.services.db.environment).toEqual({
      POSTGRES_PASSWORD: '${secret.POSTGRES_PASSWORD}',
      POSTGRES_DB: 'app',
    });
    // The literal in the command is the same credential as ${REDIS_PASS} in .env.
    expect(d.m.services.cache.command).toEqual([
      'redis-server',
      '--requirepass',
      '${secret.REDIS_PASS}',
    ]);
    expect(Object.keys(d.m.secrets as object).sort()).toEqual(['POSTGRES_PASSWORD', 'REDIS_PASS']);
    expect(d.decisions.some((x) => x.includes('POSTGRES_PASSWORD by name'))).toBe(true);
  });

  it('keeps two credentials apart when their values differ, and warns about a literal left in place', () => {
    const d = draft(`services:
  web:
    image: example/web:1
    environment:
      ADMIN_PASSWORD: admin-one
      BANNER: "login with admin-one"
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: db-two-pw
`);
    expect(d.m.services.web.environment.ADMIN_PASSWORD).toBe('${secret.ADMIN_PASSWORD}');
    expect(d.m.services.db.environment.POSTGRES_PASSWORD).toBe('${secret.POSTGRES_PASSWORD}');
    expect(lines(d, 'compose-secret')).toContain(
      'compose.yaml:6:15: warning: services.web.environment.BANNER: holds the literal value of the credential ${secret.ADMIN_PASSWORD}, which is generated at install: write ${secret.ADMIN_PASSWORD} in its place, or the two will not match',
    );
  });
});

describe('compose import: a credential literal where no reference can go', () => {
  it('is warned at its place', () => {
    const d = draft(`services:
  db:
    image: postgres:16
    user: "postgres:s3cret-pw"
    environment:
      POSTGRES_PASSWORD: s3cret-pw
`);
    expect(lines(d, 'compose-secret')).toContain(
      'compose.yaml:4:11: warning: services.db.user: holds the literal value of the credential ${secret.POSTGRES_PASSWORD}, which this field cannot reference and which is generated at install: remove it from here',
    );
  });
});

describe('compose import: credentials by name and by image', () => {
  it.each([
    ['DB_PASSWORD', true],
    ['DB_PASS', true],
    ['ADMIN_PASSWD', true],
    ['MYSQL_PWD', true],
    ['PGPASSWORD', true],
    ['GITHUB_TOKEN', true],
    ['JWT_SECRET', true],
    ['SECRET_KEY_BASE', true],
    ['API_KEY', true],
    ['AWS_SECRET_ACCESS_KEY', true],
    ['BASIC_AUTH', true],
    ['RABBITMQ_DEFAULT_PASS', true],
    ['PWD', false],
    ['TOKEN_URL', false],
    ['SSH_KEY_PATH', false],
    ['JWT_SECRET_FILE', false],
    ['PASSWORD_MIN_LENGTH', false],
    ['AUTH_ENABLED', false],
    ['KEYCLOAK_URL', false],
    ['MONKEY_BUSINESS', false],
  ])('looksSecret(%s) = %s', (name, secret) => expect(looksSecret(name)).toBe(secret));

  it.each([
    ['postgres:16-alpine', 'POSTGRES_PASSWORD', true],
    ['docker.io/bitnami/postgresql:16', 'POSTGRESQL_PASSWORD', true],
    ['mariadb@sha256:' + 'a'.repeat(64), 'MARIADB_ROOT_PASSWORD', true],
    ['mysql:8', 'MYSQL_ROOT_PASSWORD', true],
    ['rabbitmq:3-management', 'RABBITMQ_DEFAULT_PASS', true],
    ['postgres:16', 'POSTGRES_USER', false],
    ['example/app:1', 'POSTGRES_PASSWORD', false],
  ])('knownCredential(%s, %s) = %s', (image, key, known) =>
    expect(knownCredential(image, key)).toBe(known),
  );
});

describe('compose import: references only where they are references', () => {
  const d = draft(`services:
  web:
    image: example/web:1
    environment:
      REDIS_URL: redis://redis:6379/1
      CACHE: redis
      CACHE_HOST: redis
      MONGO_URL: mongodb://mongo:27017,redis:27018/app?replicaSet=redis
      QUEUE: redis:6379
      DATA_DIR: /var/lib/redis
      CALLBACK: http://web/redis/callback
      API: http://\${API_HOST:-redis}:8080/redis
  redis:
    image: redis:7
  mongo:
    image: mongo:7
`);

  it('rewrites a service name only in the host part', () => {
    expect(d.m.services.web.environment).toEqual({
      REDIS_URL: 'redis://${service.redis.host}:6379/1',
      CACHE: 'redis',
      CACHE_HOST: '${service.redis.host}',
      MONGO_URL:
        'mongodb://${service.mongo.host}:27017,${service.redis.host}:27018/app?replicaSet=redis',
      QUEUE: '${service.redis.host}:6379',
      DATA_DIR: '/var/lib/redis',
      CALLBACK: 'http://web/redis/callback',
      API: 'http://${config.API_HOST}:8080/redis',
    });
  });

  it('asks about a bare name that may be a host', () => {
    expect(lines(d, 'compose-hostname')).toEqual([
      'compose.yaml:6:14: warning: services.web.environment.CACHE: "redis" is also the name of service "redis": if it is that service\'s hostname, write ${service.redis.host}; kept as literal text',
    ]);
  });
});

describe('compose import: health checks', () => {
  it('maps variables in the test as the environment does, and keeps $$ for the shell', () => {
    const d = draft(`services:
  db:
    image: postgres:16
    environment:
      POSTGRES_USER: \${POSTGRES_USER:-antrean}
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U \${POSTGRES_USER:-antrean} -d $\${POSTGRES_DB}"]
      interval: 5s
  web:
    image: example/web:1
    healthcheck:
      test: ["CMD", "wget", "-q", "http://127.0.0.1:\${HTTP_PORT:-8080}/healthz"]
`);
    expect(d.m.services.db.environment).toEqual({ POSTGRES_USER: '${config.POSTGRES_USER}' });
    expect(d.m.services.db.healthcheck.test).toEqual([
      'sh',
      '-c',
      'pg_isready -U ${config.POSTGRES_USER} -d $${POSTGRES_DB}',
    ]);
    expect(d.m.services.web.healthcheck.test).toEqual([
      'wget',
      '-q',
      'http://127.0.0.1:${config.HTTP_PORT}/healthz',
    ]);
    expect(d.m.config.POSTGRES_USER).toMatchObject({ type: 'string', default: 'antrean' });
    expect(d.m.config.HTTP_PORT).toMatchObject({ type: 'port', default: 8080 });
  });

  it.each([
    ['disable: true', 'healthcheck:\n      disable: true'],
    ['test: [NONE]', 'healthcheck:\n      test: ["NONE"]'],
  ])('warns about %s at its line', (_what, block) => {
    const d = draft(`services:
  web:
    image: example/web:1
    ${block}
`);
    expect(d.m.services.web.healthcheck).toBeUndefined();
    expect(lines(d)).toEqual([
      "compose.yaml:4:5: warning: services.web.healthcheck: turns off the image's own healthcheck, which a manifest cannot do: if the image has a HEALTHCHECK, it will run; left out",
    ]);
  });
});

describe('compose import: interpolation as Compose does it', () => {
  it('refuses a malformed template where Compose would, at its line', () => {
    const d = draft(`services:
  web:
    image: example/web:1
    environment:
      OK: \${FINE:-yes}
      BAD: "\${oops"
      ALSO: \${foo!}
`);
    expect(d.manifest).toEqual({});
    expect(lines(d)).toEqual([
      'compose.yaml:6:12: error: services.web.environment.BAD: invalid template: unterminated "${" in "${oops"; Compose refuses the file for it (write $$ for a literal $)',
      'compose.yaml:7:13: error: services.web.environment.ALSO: invalid template: "${foo!}" has an unknown modifier "!"; Compose refuses the file for it (write $$ for a literal $)',
    ]);
  });

  it('tells unset from empty: ?, -, :+ and + with the .env it is read with', () => {
    const d = draft(
      `services:
  web:
    image: example/web:1
    environment:
      A: \${EMPTY?must be set}
      B: \${EMPTY-unset-default}
      C: \${EMPTY:-soft-default}
      D: \${EMPTY+present}
      E: \${EMPTY:+non-empty}
      F: \${UNSET:?say why}
`,
      { dotenv: { EMPTY: '' } },
    );
    expect(d.m.services.web.environment).toEqual({
      A: '${config.EMPTY}',
      B: '${config.EMPTY}',
      C: '${config.EMPTY}',
      D: 'present',
      E: '',
      F: '${config.UNSET}',
    });
    expect(d.m.config.EMPTY).toMatchObject({ default: '' });
    expect(d.m.config.UNSET).toMatchObject({ required: true });
    expect(d.m.config.UNSET.description).toContain('say why');
  });
});

describe('compose import: extends', () => {
  const base = `services:
  common:
    image: example/antrean:2.0
    command: ["serve"]
    env_file: common.env
    environment:
      - LOG_LEVEL=info
      - TZ=Asia/Jakarta
    ports:
      - "8080:8080"
    volumes:
      - data:/data
      - logs:/logs
    depends_on:
      - cache
  cache:
    image: redis:7
`;

  it('merges a service of the same file by the compose-spec rules', () => {
    const d = draft(`services:
  web:
    extends: base
    command: ["serve", "--workers", "4"]
    environment:
      TZ: Asia/Makassar
    ports:
      - "9090:9090"
    volumes:
      - other:/data
  base:
    image: example/antrean:2.0
    command: ["serve"]
    environment:
      - LOG_LEVEL=info
      - TZ=Asia/Jakarta
    ports:
      - "8080:8080"
    volumes:
      - data:/data
      - logs:/logs
    healthcheck:
      test: ["CMD", "true"]
      interval: 5s
volumes: { data: {}, logs: {}, other: {} }
`);
    const web = d.m.services.web;
    expect(web.image).toBe('example/antrean:2.0');
    expect(web.command).toEqual(['serve', '--workers', '4']);
    expect(web.environment).toEqual({ LOG_LEVEL: 'info', TZ: 'Asia/Makassar' });
    expect((web.ports as Array<{ container: number }>).map((p) => p.container)).toEqual([
      8080, 9090,
    ]);
    expect(web.volumes).toEqual([
      { name: 'logs', path: '/logs' },
      { name: 'other', path: '/data' },
    ]);
    expect(web.healthcheck.test).toEqual(['true']);
    expect(lines(d, 'compose-extends')).toEqual([]);
  });

  it('reads another file, relative to the file that names it, with its env_file rebased', () => {
    const d = draft(
      `services:
  web:
    extends:
      file: common/base.yml
      service: common
    environment:
      EXTRA: "1"
  cache:
    image: redis:7
`,
      {
        extendsFiles: { 'common/base.yml': base },
        envFiles: { 'common/common.env': 'FROM_ENV_FILE=yes\n' },
      },
    );
    expect(d.m.services.web.image).toBe('example/antrean:2.0');
    expect(d.m.services.web.environment).toEqual({
      FROM_ENV_FILE: 'yes',
      LOG_LEVEL: 'info',
      TZ: 'Asia/Jakarta',
      EXTRA: '1',
    });
    // depends_on ties a service to others: the compose-spec does not let extends carry it.
    expect(d.m.services.web.dependsOn).toBeUndefined();
    expect(lines(d, 'compose-extends')).toEqual([
      'compose.yaml:3:5: warning: services.web.extends: "common" has depends_on, which a service cannot inherit through extends (compose-spec): not copied',
    ]);
  });

  it('warns at the extends line when it cannot be resolved, and never only "has no image"', () => {
    const d = draft(
      `services:
  a:
    extends:
      file: missing.yml
      service: common
  b:
    extends: nowhere
    image: example/b:1
  c:
    extends: d
  d:
    extends: c
`,
      { extendsFiles: { 'missing.yml': null } },
    );
    expect(lines(d)).toEqual([
      'compose.yaml:2:3: warning: services.a: has no image, since what it extends could not be read (see its extends); left out',
      'compose.yaml:3:5: warning: services.a.extends: missing.yml cannot be read: the settings of "common" there are missing from this service',
      'compose.yaml:7:5: warning: services.b.extends: extends service "nowhere", which does not exist; its settings are missing from this service',
      'compose.yaml:9:3: warning: services.c: has no image, since what it extends could not be read (see its extends); left out',
      'compose.yaml:10:5: warning: services.c.extends: extends goes round in a circle (#c → #d → #c); it was ignored',
      'compose.yaml:11:3: warning: services.d: has no image, since what it extends could not be read (see its extends); left out',
      'compose.yaml:12:5: warning: services.d.extends: extends goes round in a circle (#d → #c → #d); it was ignored',
    ]);
    expect(Object.keys(d.m.services as object)).toEqual(['b']);
  });
});
