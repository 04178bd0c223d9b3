/**
 * Which compose values are credentials, and which of them are one credential: the same `${VAR}`
 * in several services, the same literal under several names (an app's `DB_PASSWORD` and its
 * database's `POSTGRES_PASSWORD`), or an env_file's `VAR=…` and `${VAR}` elsewhere. Each such
 * group becomes one generated secret, so the app and its database agree at install.
 */

/** Name segments that say "credential" (`DB_PASS`, `ADMIN_PWD`, `API_TOKEN`, `JWT_SECRET` …). */
const CREDENTIAL_SEGMENT =
  /^(?:PASS|PASSWD|PASSWORD|PASSWORDS|PASSPHRASE|PWD|PW|SECRET|SECRETS|TOKEN|TOKENS|CREDENTIAL|CREDENTIALS|AUTH|KEY|APIKEY|PRIVATEKEY|SECRETKEY|ACCESSKEY)$/;
/** Segments glued to others (`DBPASSWORD`, `APITOKEN`, `SECRETKEY`). */
const CREDENTIAL_SUFFIX = /(?:PASSWORD|PASSWD|SECRET|TOKEN|APIKEY|SECRETKEY|PRIVATEKEY)$/;
/** Last segments that make the variable about a credential, not one (`JWT_SECRET_FILE`, `TOKEN_URL`). */
const NOT_THE_VALUE =
  /^(?:FILE|PATH|DIR|URL|URI|ID|NAME|USER|USERNAME|TYPE|LENGTH|LEN|TTL|EXPIRY|EXPIRES|EXPIRE|LIFETIME|HOST|PORT|ALGORITHM|ALG|HEADER|FIELD|PREFIX|ENABLED|REQUIRED|POLICY|MIN|MAX|RESET|HASH|HASHING|ROUNDS|COST|ENDPOINT|ISSUER|AUDIENCE)$/;

/** Names that say their value is a credential. */
export function looksSecret(name: string): boolean {
  const segments = name
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter((s) => s !== '');
  const last = segments.at(-1);
  if (last === undefined || NOT_THE_VALUE.test(last)) return false;
  // `$PWD` alone is the shell's working directory, not a password.
  if (segments.length === 1 && (last === 'PWD' || last === 'OLDPWD')) return false;
  if (segments.length === 1 && last === 'AUTH') return false;
  return segments.some((seg) => CREDENTIAL_SEGMENT.test(seg) || CREDENTIAL_SUFFIX.test(seg));
}

/**
 * Variables that official images read their credentials from, by the image's repository name
 * (the last path part, so `bitnami/postgresql` and `library/postgres` both match).
 */
const IMAGE_CREDENTIALS: Record<string, readonly string[]> = {
  postgres: ['POSTGRES_PASSWORD'],
  postgis: ['POSTGRES_PASSWORD'],
  timescaledb: ['POSTGRES_PASSWORD'],
  postgresql: ['POSTGRESQL_PASSWORD', 'POSTGRESQL_POSTGRES_PASSWORD', 'POSTGRES_PASSWORD'],
  mysql: ['MYSQL_ROOT_PASSWORD', 'MYSQL_PASSWORD'],
  mariadb: ['MARIADB_ROOT_PASSWORD', 'MARIADB_PASSWORD', 'MYSQL_ROOT_PASSWORD', 'MYSQL_PASSWORD'],
  percona: ['MYSQL_ROOT_PASSWORD', 'MYSQL_PASSWORD'],
  mongo: ['MONGO_INITDB_ROOT_PASSWORD'],
  mongodb: ['MONGODB_ROOT_PASSWORD', 'MONGODB_PASSWORD'],
  redis: ['REDIS_PASSWORD'],
  rabbitmq: ['RABBITMQ_DEFAULT_PASS'],
  minio: ['MINIO_ROOT_PASSWORD', 'MINIO_SECRET_KEY'],
  keycloak: ['KEYCLOAK_ADMIN_PASSWORD', 'KC_BOOTSTRAP_ADMIN_PASSWORD', 'KC_DB_PASSWORD'],
  wordpress: ['WORDPRESS_DB_PASSWORD'],
  elasticsearch: ['ELASTIC_PASSWORD'],
  pgadmin4: ['PGADMIN_DEFAULT_PASSWORD'],
  grafana: ['GF_SECURITY_ADMIN_PASSWORD'],
  nextcloud: ['POSTGRES_PASSWORD', 'MYSQL_PASSWORD', 'NEXTCLOUD_ADMIN_PASSWORD'],
};

/** The repository name of an image reference: `docker.io/bitnami/postgresql:16` → `postgresql`. */
function repositoryName(image: string): string {
  const noDigest = image.split('@')[0] ?? '';
  const last = noDigest.split('/').at(-1) ?? '';
  return last.split(':')[0]?.toLowerCase() ?? '';
}

/** Whether `key` is where the image `image` reads a credential from (`POSTGRES_PASSWORD` of postgres). */
export function knownCredential(image: string, key: string): boolean {
  return IMAGE_CREDENTIALS[repositoryName(image)]?.includes(key) ?? false;
}

/** One place a credential is used, found before the draft is written. */
export interface CredentialUse {
  /** Where, e.g. `services.web.environment.DB_PASSWORD`. */
  where: string;
  /** The environment variable (or setting) that holds it. */
  key: string;
  /** The compose variable it comes from, for `${VAR}`. */
  variable?: string | undefined;
  /** Its literal value, or the value Compose would give the variable; for joining by value. */
  value?: string | undefined;
}

interface Group {
  uses: CredentialUse[];
  reasons: Set<string>;
  name: string;
}

/**
 * The credentials of one compose file, joined into groups by variable and by value. Register
 * every use first (`add`), then `seal` names one secret per group.
 */
export class CredentialPool {
  private readonly uses: CredentialUse[] = [];
  private readonly parent: number[] = [];
  private readonly why = new Map<number, Set<string>>();
  private groups: Group[] = [];
  private readonly byUse = new Map<number, Group>();

  add(use: CredentialUse): void {
    this.uses.push(use);
    this.parent.push(this.uses.length - 1);
  }

  private find(i: number): number {
    let r = i;
    while (this.parent[r] !== r) r = this.parent[r] ?? r;
    return r;
  }

  private union(a: number, b: number, reason: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    const reasons = new Set([...(this.why.get(ra) ?? []), ...(this.why.get(rb) ?? []), reason]);
    if (ra !== rb) this.parent[rb] = ra;
    this.why.set(ra, reasons);
  }

  /** Joins the uses and names one secret per group; `taken` are names already used. */
  seal(taken: ReadonlySet<string> = new Set()): void {
    const firstByVar = new Map<string, number>();
    const firstByValue = new Map<string, number>();
    const firstLiteralByKey = new Map<string, number[]>();
    this.uses.forEach((u, i) => {
      if (u.variable !== undefined) {
        const seen = firstByVar.get(u.variable);
        if (seen === undefined) firstByVar.set(u.variable, i);
        else this.union(seen, i, `the same variable \${${u.variable}}`);
      } else {
        const list = firstLiteralByKey.get(u.key) ?? [];
        list.push(i);
        firstLiteralByKey.set(u.key, list);
      }
      if (u.value !== undefined && u.value !== '') {
        const seen = firstByValue.get(u.value);
        if (seen === undefined) firstByValue.set(u.value, i);
        else this.union(seen, i, 'the same value');
      }
    });
    // An env_file's `VAR=…` is the variable `${VAR}` used elsewhere.
    for (const [variable, i] of firstByVar) {
      for (const j of firstLiteralByKey.get(variable) ?? [])
        this.union(i, j, `${variable} by name`);
    }
    const byRoot = new Map<number, Group>();
    const used = new Set(taken);
    this.uses.forEach((u, i) => {
      const root = this.find(i);
      let g = byRoot.get(root);
      if (!g) {
        g = { uses: [], reasons: this.why.get(root) ?? new Set(), name: '' };
        byRoot.set(root, g);
        this.groups.push(g);
      }
      g.uses.push(u);
      this.byUse.set(i, g);
    });
    for (const g of this.groups) {
      const named =
        g.uses.find((u) => u.variable !== undefined)?.variable ?? g.uses[0]?.key ?? 'SECRET';
      let name = named.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
      if (used.has(name)) {
        let n = 2;
        while (used.has(`${name}_${n}`)) n++;
        name = `${name}_${n}`;
      }
      used.add(name);
      g.name = name;
    }
  }

  private groupOf(match: (u: CredentialUse) => boolean): Group | undefined {
    const i = this.uses.findIndex(match);
    return i === -1 ? undefined : this.byUse.get(i);
  }

  /** The secret of the use at `where` for `key` (the first registered there). */
  secretAt(where: string, key: string, variable?: string): string | undefined {
    return this.groupOf(
      (u) =>
        u.where === where && u.key === key && (variable === undefined || u.variable === variable),
    )?.name;
  }

  /** The secret whose group holds this literal value, if any. */
  secretOfValue(value: string): string | undefined {
    if (value === '') return undefined;
    return this.groupOf((u) => u.value === value)?.name;
  }

  /** Every literal credential value with its secret, longest first (for finding them in text). */
  literalValues(): Array<{ value: string; secret: string }> {
    const out = new Map<string, string>();
    this.uses.forEach((u, i) => {
      const g = this.byUse.get(i);
      if (g && u.value !== undefined && u.value.length >= 4) out.set(u.value, g.name);
    });
    return [...out]
      .map(([value, secret]) => ({ value, secret }))
      .sort((a, b) => b.value.length - a.value.length);
  }

  /** The groups used in more than one place, for the decisions list. */
  joined(): Array<{ secret: string; uses: string[]; reasons: string[] }> {
    return this.groups
      .filter((g) => new Set(g.uses.map((u) => `${u.where}`)).size > 1)
      .map((g) => ({
        secret: g.name,
        uses: [...new Set(g.uses.map((u) => u.where))],
        reasons: [...g.reasons],
      }));
  }
}
