// Static bearer tokens in upstream's --token-auth-file CSV format, one per line:
//   token,user,uid,"group1,group2"
// The file is validated whole at start: a bad line stops the server with its line number, since a
// silently skipped line would lock a user out with no hint why.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { NodeletError, ErrorCode, errorMessage } from '../../base/errors.js';
import { writeFileAtomic } from '../../base/atomic-file.js';
import type { UserInfo } from './types.js';

export interface TokenEntry {
  token: string;
  user: UserInfo;
  /** 1-based line in the file, for messages. */
  line: number;
}

export const ADMIN_USER = 'admin';
export const MASTERS_GROUP = 'system:masters';

/** Parses the CSV text; InvalidConfig naming `source` and the line for the first bad line. */
export function parseTokenFile(text: string, source: string): TokenEntry[] {
  const entries: TokenEntry[] = [];
  const seen = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) return;
    const fail = (why: string, hint = ' (expected: token,user,uid[,"group1,group2"])'): never => {
      throw new NodeletError(ErrorCode.InvalidConfig, `${source}:${line}: ${why}${hint}`);
    };
    const fields = splitCsvLine(raw);
    if (typeof fields === 'string') return fail(fields);
    if (fields.length < 3) return fail(`${fields.length} column(s), at least 3 needed`);
    if (fields.length > 4) return fail(`${fields.length} columns, at most 4 (quote the groups: "a,b")`);
    const [token = '', name = '', uid = '', groupText = ''] = fields;
    if (token === '') return fail('empty token');
    if (/\s/.test(token)) return fail('the token contains white space');
    if (name === '') return fail('empty user name');
    const first = seen.get(token);
    if (first !== undefined) return fail(`duplicate token (first on line ${first})`, '');
    seen.set(token, line);
    const groups = groupText.split(',').map((g) => g.trim()).filter((g) => g !== '');
    entries.push({ token, user: { name, uid, groups }, line });
  });
  return entries;
}

/** One CSV record (RFC 4180 quoting, on one line), or a message saying what is malformed. */
export function splitCsvLine(line: string): string[] | string {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    let j = i;
    while (line[j] === ' ' || line[j] === '\t') j++;
    if (line[j] === '"') {
      i = j + 1;
      for (;;) {
        if (i >= line.length) return 'unterminated quoted field';
        const c = line[i];
        if (c === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += c;
        i++;
      }
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (i < line.length && line[i] !== ',') return `unexpected character after a quoted field at column ${i + 1}`;
    } else {
      const end = line.indexOf(',', i);
      field = line.slice(i, end === -1 ? line.length : end);
      if (field.includes('"')) return `a quote inside an unquoted field at column ${i + 1}`;
      i = end === -1 ? line.length : end;
    }
    fields.push(field.trim());
    if (i >= line.length) return fields;
    i++; // the comma
  }
}

/** Quotes a field when CSV needs it. */
function csvField(s: string): string {
  return /[",\s]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function formatTokenLine(token: string, user: UserInfo): string {
  return [token, user.name, user.uid, user.groups.join(',')].map(csvField).join(',');
}

/** Reads and parses a token file; InvalidConfig naming the flag when unreadable. */
export async function loadTokenFile(file: string, flag: string): Promise<TokenEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new NodeletError(ErrorCode.InvalidConfig, `--${flag}: cannot read ${file}: ${errorMessage(err)}`, { cause: err });
  }
  return parseTokenFile(text, file);
}

/**
 * The generated token file of a data dir: read when present, else created with one admin token
 * (32 random bytes, hex) in group system:masters, mode 0600.
 */
export async function ensureGeneratedTokenFile(file: string): Promise<{ entries: TokenEntry[]; created: boolean }> {
  try {
    const text = await readFile(file, 'utf8');
    return { entries: parseTokenFile(text, file), created: false };
  } catch (err) {
    if (!(err instanceof Error && 'code' in err && err.code === 'ENOENT')) throw err;
  }
  const token = randomBytes(32).toString('hex');
  const user: UserInfo = { name: ADMIN_USER, uid: ADMIN_USER, groups: [MASTERS_GROUP] };
  await writeFileAtomic(file, `${formatTokenLine(token, user)}\n`, { mode: 0o600 });
  return { entries: [{ token, user, line: 1 }], created: true };
}

/** The first token of a system:masters member: what the admin kubeconfig carries. */
export function adminToken(entries: readonly TokenEntry[]): TokenEntry | undefined {
  return entries.find((e) => e.user.groups.includes(MASTERS_GROUP));
}
